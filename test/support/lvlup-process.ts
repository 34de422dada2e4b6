import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/lvlup.js', import.meta.url));

export interface LvlupProcess {
  readonly child: ChildProcess;
  output(): string;
  /** waits until the output contains `text`; fails if the process exits first */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after 20 s; answers the exit code */
  stop(): Promise<number | null>;
}

/** A `node bin/lvlup.js <args>` child with a minimal environment and its output collected. */
export function startLvlup(args: string[], cwd: string, environment: Record<string, string>): LvlupProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', RATE_LIMIT_ENABLED: 'false', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`lvlup exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`"${text}" did not appear:\n${output}`);
        await sleep(50);
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

/** Resolves once `url`/health answers 200. */
export async function healthy(url: string, process: LvlupProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null) throw new Error(`lvlup exited before serving:\n${process.output()}`);
    const up = await fetch(`${url}/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`lvlup did not become healthy:\n${process.output()}`);
    await sleep(100);
  }
}
