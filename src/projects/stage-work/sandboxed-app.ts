import { lstat } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { SandboxService } from '../../sandbox/sandbox-service.js';

// The built app, started in the Sandbox for the browser smoke test. The sandbox has no network, so the app
// listens on a Unix socket in its work tree (LISTEN_SOCKET) and lvlup opens a loopback TCP port that
// forwards each connection to that socket: the browser, outside the sandbox, reaches the app there, and
// the app's code never runs outside the sandbox.

export interface RunningApp {
  /** `http://127.0.0.1:<port>`: the forwarded port */
  readonly origin: string;
  /** what the app printed so far (the last 20 000 characters) */
  readonly output: () => string;
  /** stops the forwarding and the app, and waits for the app to end */
  readonly stop: () => Promise<void>;
}

export class AppStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'AppStartError';
  }
}

function forwarder(socketPath: string): { server: Server; connections: Set<Socket> } {
  const connections = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ path: socketPath });
    for (const socket of [client, upstream]) {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      // one side failing closes both; the error is the browser's or the app's to report
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return { server, connections };
}

export async function startSandboxedApp(
  service: SandboxService,
  options: {
    workTree: string;
    signal: AbortSignal;
    startDeadlineMs?: number;
    /** extra environment for the app (e.g. DATA_DIR) */
    environment?: Readonly<Record<string, string>>;
  },
): Promise<RunningApp> {
  const socketPath = path.join(options.workTree, '.smoke.sock');
  const stopping = new AbortController();
  const cancel = () => stopping.abort(options.signal.reason);
  options.signal.addEventListener('abort', cancel, { once: true });
  let output = '';
  let announce: (() => void) | undefined;
  const listening = new Promise<void>((resolve) => (announce = resolve));
  const running = service.runner.run({
    command: 'exec node dist/server.js',
    workTree: options.workTree,
    toolPaths: service.toolchains.paths,
    environment: {
      PATH: service.toolchains.searchPath,
      LISTEN_SOCKET: socketPath,
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
      ...options.environment,
    },
    signal: stopping.signal,
    onOutput: (chunk) => {
      output = `${output}${chunk}`.slice(-20_000);
      if (output.includes('listening on')) announce?.();
    },
  });
  const { server, connections } = forwarder(socketPath);
  const stop = async () => {
    for (const connection of connections) connection.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    stopping.abort(new Error('the smoke test is over'));
    await running.catch(() => undefined);
    options.signal.removeEventListener('abort', cancel);
  };
  try {
    const deadlineMs = options.startDeadlineMs ?? 60_000;
    const deadline = AbortSignal.timeout(deadlineMs);
    const ended = await Promise.race([
      listening.then(() => 'listening' as const),
      running.then(() => 'exited' as const),
      new Promise<'deadline'>((resolve) => deadline.addEventListener('abort', () => resolve('deadline'))),
    ]);
    if (ended !== 'listening') {
      throw new AppStartError(
        ended === 'exited' ? 'the app stopped before it listened' : `the app did not listen within ${deadlineMs} ms`,
        output,
      );
    }
    // only a socket the app made in its work tree, never a link elsewhere
    if (!(await lstat(socketPath).catch(() => undefined))?.isSocket()) {
      throw new AppStartError(`the app said it listened, but ${socketPath} is not its socket`, output);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the forwarding port has no address');
    return { origin: `http://127.0.0.1:${address.port}`, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
