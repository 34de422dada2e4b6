import { lstat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { runChecks } from '../../sandbox/run-checks.js';
import { preparedApp } from './build-stage.js';
import { StageFailedError, type StageWork } from './stage-work.js';

// Stage 10, the minimal deployment: the built app is started in the Sandbox, lvlup waits for it to answer,
// and stops it. The sandbox has no network of its own to share, so the app listens on a Unix socket in
// its work tree (LISTEN_SOCKET), which lvlup reaches from outside; supervision, restarts and a URL behind
// a proxy are the deployments' own work.

/** How long the app may take from its start to its first answer. */
const START_DEADLINE_MS = 60_000;

function get(socketPath: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, path: url, method: 'GET', timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk.length + body.length > 1_000_000 ? '' : chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${url} timed out`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export const deployStage: StageWork = async (input) => {
  const { service, tree } = await preparedApp(input);
  try {
    const built = await runChecks(service, {
      repositoryPath: input.folder,
      workTree: tree.path,
      commands: ['npm run build'],
      signal: input.signal,
    });
    const build = built.results[0];
    if (!built.passed || !build) {
      throw new StageFailedError(
        'build_failed',
        `npm run build failed before the deployment: ${build?.output_tail ?? ''}`,
      );
    }
    const socketPath = path.join(tree.path, '.app.sock');
    const stop = new AbortController();
    const cancel = () => stop.abort(input.signal.reason);
    input.signal.addEventListener('abort', cancel, { once: true });
    let output = '';
    let announce: (() => void) | undefined;
    const listening = new Promise<void>((resolve) => (announce = resolve));
    const started = performance.now();
    const running = service.runner.run({
      command: 'exec node dist/server.js',
      workTree: tree.path,
      toolPaths: service.toolchains.paths,
      environment: { PATH: service.toolchains.searchPath, LISTEN_SOCKET: socketPath, NO_COLOR: '1', LOG_LEVEL: 'warn' },
      signal: stop.signal,
      onOutput: (chunk) => {
        output = `${output}${chunk}`.slice(-20_000);
        if (output.includes('listening on')) announce?.();
      },
    });
    const deadline = AbortSignal.timeout(START_DEADLINE_MS);
    const ended = await Promise.race([
      listening.then(() => 'listening' as const),
      running.then(() => 'exited' as const),
      new Promise<'deadline'>((resolve) =>
        deadline.addEventListener('abort', () => resolve('deadline'), { once: true }),
      ),
    ]);
    try {
      if (ended !== 'listening') {
        throw new StageFailedError(
          'deploy_failed',
          ended === 'exited'
            ? `the app stopped before it listened:\n${output.slice(-4000)}`
            : `the app did not listen within ${START_DEADLINE_MS / 1000} s:\n${output.slice(-4000)}`,
        );
      }
      const startedMs = Math.round(performance.now() - started);
      // The socket is in the sandbox's work tree: only a socket the app made there, never a link elsewhere.
      if (!(await lstat(socketPath).catch(() => undefined))?.isSocket()) {
        throw new StageFailedError('deploy_failed', `the app said it listened, but ${socketPath} is not its socket`);
      }
      const answer = await get(socketPath, '/api/openapi.json');
      await input.log(
        `the app listened after ${startedMs} ms and answered GET /api/openapi.json with ${answer.status}`,
      );
      if (answer.status !== 200) {
        throw new StageFailedError('deploy_failed', `the app answered GET /api/openapi.json with ${answer.status}`);
      }
      const report = {
        isolation: service.availability.isolation,
        listened_after_ms: startedMs,
        checks: [{ request: 'GET /api/openapi.json', status: answer.status }],
        stopped: true,
        note: 'a minimal deployment: started, checked and stopped; supervised deployments with a URL are not built yet',
      };
      return {
        files: {},
        artifacts: [
          {
            kind: 'deploy_report',
            name: 'deploy.json',
            mediaType: 'application/json',
            content: `${JSON.stringify(report, null, 2)}\n`,
          },
        ],
      };
    } finally {
      stop.abort(new Error('the deployment check is over'));
      await running.catch(() => undefined);
      input.signal.removeEventListener('abort', cancel);
    }
  } finally {
    await tree.dispose();
  }
};
