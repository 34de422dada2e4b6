import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a benchmark server in its own process (so it does not share a core with the load generator). */
export async function serve(script: string, environment: Record<string, string> = {}): Promise<Served> {
  const logFile = path.join(os.tmpdir(), `lvlup-bench-${path.basename(script, '.ts')}-${process.pid}.log`);
  const nodeArguments = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArguments, '--import', 'tsx', script], {
    env: { ...process.env, ...environment },
    // Logs go to a file, as a log driver would take them; piping them back here would make this process,
    // which also generates the load, spend its core reading them.
    stdio: ['ignore', openSync(logFile, 'w'), 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { ready?: string }) => {
      if (message.ready) resolve(message.ready);
    });
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before it was ready; see ${logFile}`)),
    );
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** responses received within the duration */
  readonly answered: number;
}

export async function load(options: {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** seconds before a request counts as an error (autocannon's default: 10) */
  timeoutSeconds?: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds }),
  });
  return summarise(result);
}

export function summarise(result: autocannon.Result): LoadResult {
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    answered: result.requests.total,
  };
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function writeResult(name: string, result: unknown): string {
  const directory = path.join(import.meta.dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), ...(result as object) }, null, 2)}\n`,
  );
  return file;
}
