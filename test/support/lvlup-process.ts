import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/lvlup.js', import.meta.url));

/** What Fastify logs (at LOG_LEVEL info) once the server accepts connections. */
export const LISTENING = 'Server listening at';

export interface LvlupProcess {
  readonly child: ChildProcess;
  output(): string;
  /** waits until the output contains `text`; fails if the process exits first */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 60 s; answers the exit code */
  stop(): Promise<number | null>;
}

/**
 * A `node bin/lvlup.js <args>` child with a minimal environment (logging at info unless told otherwise) and
 * its output collected.
 */
export function startLvlup(args: string[], cwd: string, environment: Record<string, string>): LvlupProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      API_HOST: '127.0.0.1',
      RATE_LIMIT_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  /** called whenever output arrives or the process exits */
  let changed = () => {};
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    changed();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    changed();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
      changed();
    }),
  );
  return {
    child,
    output: () => output,
    async waitFor(text, timeoutMs = 60_000) {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        changed();
      }, timeoutMs);
      try {
        while (!output.includes(text)) {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`lvlup exited (${child.exitCode ?? child.signalCode}) before "${text}":\n${output}`);
          }
          if (timedOut) throw new Error(`"${text}" did not appear:\n${output}`);
          // Looks again when more output arrives or the process exits, not on a timer.
          await new Promise<void>((resolve) => (changed = resolve));
        }
      } finally {
        clearTimeout(timer);
        changed = () => {};
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resolves once the child logs that it listens, checking that `url`/health then answers 200. */
export async function healthy(url: string, process: LvlupProcess, timeoutMs = 60_000): Promise<void> {
  await process.waitFor(LISTENING, timeoutMs);
  const response = await fetch(`${url}/health`);
  if (response.status !== 200) {
    throw new Error(`lvlup listens but /health answered ${response.status}:\n${process.output()}`);
  }
}
