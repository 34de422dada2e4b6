import { lstat, rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { request } from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SandboxLimits } from '../sandbox/isolation/index.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { createWorkTree, type ThrowAwayWorkTree } from '../sandbox/work-tree.js';
import { installDependencies } from '../projects/stage-work/install-dependencies.js';
import type { DeploymentHealth } from '../db/schema.js';
import type { Deployment } from './deployment-store.js';
import { forwardToSocket, type SocketForwarder } from './socket-forwarder.js';

// One deployment as this process runs it: a checkout of its commit, built once, then the app started in
// the Sandbox on a Unix socket, a loopback port forwarding to it, health checks over HTTP, and a restart
// with backoff whenever the app dies — until the supervisor aborts it (stop, delete, lost lease, shutdown).

/** The Sandbox limits a running app gets: wall time is unbounded in practice, the rest as for any command. */
export const APP_LIMITS: Partial<SandboxLimits> = {
  // setTimeout's largest delay (~24.8 days): at the limit the app is stopped and started again, counted.
  wallTimeMs: 2 ** 31 - 1,
  cpuSeconds: 24 * 3600,
  memoryBytes: 512 * 1024 * 1024,
  processes: 64,
  // Logs are kept in the database (bounded), not by the runner, which keeps only its head and tail.
  outputBytes: Number.MAX_SAFE_INTEGER,
  fileSizeBytes: 256 * 1024 * 1024,
  tmpBytes: 256 * 1024 * 1024,
};

const BUILD_LIMITS: Partial<SandboxLimits> = { wallTimeMs: 10 * 60_000, memoryBytes: 2 * 1024 * 1024 * 1024 };

export interface InstanceTimings {
  /** how long a started app may take to answer its health check */
  readonly startDeadlineMs: number;
  readonly healthIntervalMs: number;
  /** consecutive failed health checks after which the app is killed and started again */
  readonly unhealthyAfter: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export interface InstanceReport {
  /** a status change of the generation this instance runs; false when it no longer owns it */
  status(changes: Partial<Deployment>): Promise<boolean>;
  log(source: 'app' | 'lvlup', text: string): void;
  restarted(details: Record<string, unknown>): Promise<void>;
}

export interface InstanceSetup {
  readonly deployment: Deployment;
  readonly repositoryFolder: string;
  readonly sandbox: () => Promise<SandboxService>;
  readonly packageCache: string;
  readonly timings: InstanceTimings;
  readonly report: InstanceReport;
  readonly now: () => Date;
}

class InstanceFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function getOverSocket(
  socketPath: string,
  url: string,
  timeoutMs: number,
): Promise<{ status: number; latencyMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request({ socketPath, path: url, method: 'GET', timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, latencyMs: Math.round(performance.now() - started) }),
      );
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * The signal that ended the app: its own, or the one its wrappers report as status 128 + n (bubblewrap and
 * the shell exit with the status of the command they ran).
 */
function signalOf(outcome: { signal: string | null; exitCode: number | null }): string | null {
  if (outcome.signal) return outcome.signal;
  if (outcome.exitCode === null || outcome.exitCode <= 128) return null;
  const number = outcome.exitCode - 128;
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0] ?? null;
}

/** Splits streamed output into lines; a partial line waits for its end. */
function lineSplitter(emit: (line: string) => void) {
  let pending = '';
  return {
    push(chunk: string) {
      const parts = `${pending}${chunk}`.split('\n');
      pending = parts.pop() ?? '';
      if (pending.length > 8192) {
        parts.push(pending);
        pending = '';
      }
      for (const part of parts) emit(part.slice(0, 8192));
    },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}

/** Runs the deployment until `signal` aborts; resolves when everything it started is stopped and removed. */
export async function runInstance(setup: InstanceSetup, signal: AbortSignal): Promise<void> {
  const { deployment, report, timings } = setup;
  let tree: ThrowAwayWorkTree | undefined;
  let forwarder: SocketForwarder | undefined;
  try {
    await report.status({ status: 'building', failure: null });
    report.log('lvlup', `building ${deployment.commit}`);
    const service = await setup.sandbox();
    tree = await createWorkTree(setup.repositoryFolder, deployment.commit, service.workRoot);
    await build(setup, service, tree.path, signal);
    if (signal.aborted) return;
    await report.status({ status: 'testing' });
    const socketPath = path.join(tree.path, '.lvlup-app.sock');
    let restartsInRow = 0;
    let first = true;
    while (!signal.aborted) {
      const stop = new AbortController();
      const onAbort = () => stop.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      // The socket of the app's previous process is still there, and listening on it would fail.
      await rm(socketPath, { force: true });
      const split = lineSplitter((line) => report.log('app', line));
      const running = service.runner.run({
        command: deployment.startCommand,
        workTree: tree.path,
        toolPaths: service.toolchains.paths,
        environment: {
          PATH: service.toolchains.searchPath,
          LISTEN_SOCKET: socketPath,
          DATA_DIR: path.join(tree.path, '.data'),
          NODE_ENV: 'production',
          NO_COLOR: '1',
        },
        limits: APP_LIMITS,
        signal: stop.signal,
        onOutput: (chunk) => split.push(chunk),
      });
      let exited = false;
      void running.finally(() => (exited = true));
      try {
        const started = await waitUntilHealthy(setup, socketPath, signal, () => exited);
        if (started.ok) {
          forwarder ??= await forwardToSocket(socketPath, deployment.port);
          if (forwarder.port !== deployment.port) report.log('lvlup', `listening on 127.0.0.1:${forwarder.port}`);
          const owned = await report.status({
            status: 'running',
            port: forwarder.port,
            startedAt: setup.now(),
            lastHealth: started.health,
          });
          if (!owned) return;
          report.log('lvlup', `the app answered GET ${deployment.healthPath} with ${started.health.status}`);
          first = false;
          restartsInRow = 0;
          await watchHealth(setup, socketPath, stop, () => exited, running);
        } else if (first && !signal.aborted) {
          stop.abort(new Error('the app did not start'));
          const outcome = await running;
          split.flush();
          throw new InstanceFailed(
            'start_failed',
            `${started.reason}\n${(outcome.outputHead + outcome.outputTail).slice(-4000)}`,
          );
        } else {
          stop.abort(new Error('the app did not answer'));
        }
        const outcome = await running;
        split.flush();
        if (signal.aborted) return;
        restartsInRow += 1;
        const wait = Math.min(timings.backoffBaseMs * 2 ** (restartsInRow - 1), timings.backoffMaxMs);
        const killedBy = signalOf(outcome);
        const how = outcome.limit
          ? `stopped at its ${outcome.limit} limit`
          : `exited (${killedBy ?? `code ${outcome.exitCode}`})`;
        report.log('lvlup', `the app ${how}; starting it again in ${wait} ms`);
        await report.restarted({
          exit_code: outcome.exitCode,
          signal: killedBy,
          limit: outcome.limit,
          backoff_ms: wait,
        });
        await delay(wait, undefined, { signal }).catch(() => undefined);
      } finally {
        signal.removeEventListener('abort', onAbort);
        stop.abort(new Error('the deployment instance is over'));
        await running.catch(() => undefined);
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    const failure =
      error instanceof InstanceFailed
        ? { code: error.code, message: error.message }
        : { code: 'deploy_failed', message: (error as Error).message };
    report.log('lvlup', `failed: ${failure.message}`);
    await report.status({ status: 'failed', failure, port: null, startedAt: null });
  } finally {
    await forwarder?.close();
    await tree?.dispose();
  }
}

async function build(setup: InstanceSetup, service: SandboxService, workTree: string, signal: AbortSignal) {
  const { report } = setup;
  const install = await installDependencies(workTree, { cache: setup.packageCache, signal });
  for (const line of install.output.split('\n').filter(Boolean)) report.log('lvlup', `npm install: ${line}`);
  if (install.exitCode !== 0) {
    throw new InstanceFailed('build_failed', `npm install exited ${install.exitCode}:\n${install.output.slice(-4000)}`);
  }
  const split = lineSplitter((line) => report.log('lvlup', `npm run build: ${line}`));
  const outcome = await service.runner.run({
    command: 'npm run build --if-present',
    workTree,
    toolPaths: service.toolchains.paths,
    environment: { PATH: service.toolchains.searchPath, NO_COLOR: '1' },
    limits: BUILD_LIMITS,
    signal,
    onOutput: (chunk) => split.push(chunk),
  });
  split.flush();
  if (outcome.exitCode !== 0 && !signal.aborted) {
    throw new InstanceFailed(
      'build_failed',
      `npm run build failed in the sandbox (${outcome.limit ? `${outcome.limit} limit` : `exit ${outcome.exitCode ?? outcome.signal}`}):\n` +
        `${outcome.outputHead}${outcome.truncated ? '\n[…]\n' : ''}${outcome.outputTail}`.slice(-4000),
    );
  }
}

async function check(setup: InstanceSetup, socketPath: string): Promise<DeploymentHealth> {
  const at = setup.now().toISOString();
  try {
    // Only a socket the app made in its work tree, never a link elsewhere.
    if (!(await lstat(socketPath).catch(() => undefined))?.isSocket()) {
      return { ok: false, status: null, latency_ms: null, error: 'the app has no socket yet', at };
    }
    const answer = await getOverSocket(socketPath, setup.deployment.healthPath, 5000);
    return { ok: answer.status >= 200 && answer.status < 400, status: answer.status, latency_ms: answer.latencyMs, at };
  } catch (error) {
    return { ok: false, status: null, latency_ms: null, error: (error as Error).message, at };
  }
}

/**
 * Waits for the first good health check of a started app. The app says nothing lvlup can wait on but its
 * socket and its answer, so both are checked every 100 ms until the deadline, the app's exit or an abort.
 */
async function waitUntilHealthy(
  setup: InstanceSetup,
  socketPath: string,
  signal: AbortSignal,
  exited: () => boolean,
): Promise<{ ok: true; health: DeploymentHealth } | { ok: false; reason: string }> {
  const deadline = performance.now() + setup.timings.startDeadlineMs;
  while (!signal.aborted) {
    if (exited()) return { ok: false, reason: 'the app stopped before it answered' };
    const health = await check(setup, socketPath);
    if (health.ok) return { ok: true, health };
    if (performance.now() > deadline) {
      return {
        ok: false,
        reason: `the app did not answer GET ${setup.deployment.healthPath} within ${setup.timings.startDeadlineMs} ms (${health.error ?? `status ${health.status}`})`,
      };
    }
    await delay(100, undefined, { signal }).catch(() => undefined);
  }
  return { ok: false, reason: 'stopped' };
}

/** Checks the running app every interval until it exits; kills it after too many failed checks in a row. */
async function watchHealth(
  setup: InstanceSetup,
  socketPath: string,
  stop: AbortController,
  exited: () => boolean,
  running: Promise<unknown>,
) {
  let failedInRow = 0;
  while (!exited() && !stop.signal.aborted) {
    const tick = delay(setup.timings.healthIntervalMs, 'tick' as const, { signal: stop.signal }).catch(
      () => 'aborted' as const,
    );
    if ((await Promise.race([tick, running.then(() => 'exited' as const)])) !== 'tick') return;
    const health = await check(setup, socketPath);
    if (exited()) return;
    await setup.report.status({ lastHealth: health });
    failedInRow = health.ok ? 0 : failedInRow + 1;
    if (failedInRow >= setup.timings.unhealthyAfter) {
      setup.report.log(
        'lvlup',
        `${failedInRow} health checks in a row failed (${health.error ?? health.status}): stopping the app`,
      );
      stop.abort(new Error('the app stopped answering'));
      return;
    }
  }
}
