import type { Database } from '../db/database.js';
import type { Config } from '../config/config.js';
import type { LanguageModelStatus } from '../llm/language-model-status.js';
import { chromiumStatus, flutterStatus, type ToolStatus } from '../projects/project-tools.js';
import { sandboxStatus, type SandboxStatus } from '../sandbox/sandbox-status.js';
import type { SandboxSettings } from '../sandbox/sandbox-service.js';
import { queueDepth, type QueueDepth } from '../tasks/queue-depth-queries.js';
import type { TaskRuntime } from './task-runtime.js';

const PROBE_TIMEOUT_MS = 2000;

export interface Check {
  readonly status: 'up' | 'down';
  readonly latency_ms?: number;
}

export interface QueueState extends QueueDepth {
  /** this process's worker; null when it runs none */
  readonly worker: { running: boolean; active_tasks: number; concurrency: number } | null;
}

export interface Readiness {
  readonly checks: Record<string, Check>;
  /** the names of the checks that are down */
  readonly down: string[];
  /** undefined when the tasks table could not be read */
  readonly queue: QueueState | undefined;
  readonly sandbox: SandboxStatus;
  readonly llm: LanguageModelStatus;
  /** the programs the project pipeline's optional steps need; reported, never a reason to be down */
  readonly projects: { readonly chromium: ToolStatus; readonly flutter: ToolStatus };
}

async function probe(run: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return { status: 'up', latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    return { status: 'down' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes every dependency of this process: the database, Redis when there is one, the task queue (down
 * when the tasks table cannot be read or this process should run a worker and its worker has stopped), and
 * the sandbox (down when unavailable); the language models are reported, never a reason to be down.
 */
export async function checkReadiness(dependencies: {
  readonly database: Pick<Database, 'query'>;
  readonly redis: { ping(): Promise<unknown> } | undefined;
  readonly runtime: Pick<TaskRuntime, 'worker'>;
  readonly config: SandboxSettings & Pick<Config, 'chromiumPath' | 'flutterPath'>;
  readonly llm: { status(): LanguageModelStatus };
}): Promise<Readiness> {
  const { database, redis, runtime, config, llm } = dependencies;
  const checks: Record<string, Check> = {
    database: await probe(() => database.query('select 1'), PROBE_TIMEOUT_MS),
  };
  if (redis) checks.redis = await probe(() => redis.ping(), PROBE_TIMEOUT_MS);
  let queue: QueueState | undefined;
  checks.queue = await probe(async () => {
    const depth = await queueDepth(database);
    const worker = runtime.worker?.status();
    queue = {
      ...depth,
      worker: worker
        ? { running: worker.running, active_tasks: worker.active_tasks, concurrency: worker.concurrency }
        : null,
    };
    if (queue.worker && !queue.worker.running) throw new Error('worker stopped');
  }, PROBE_TIMEOUT_MS);
  const sandbox = await sandboxStatus(config);
  const status = llm.status();
  checks.sandbox = { status: sandbox.status === 'unavailable' ? 'down' : 'up' };
  const down = Object.entries(checks)
    .filter(([, check]) => check.status === 'down')
    .map(([name]) => name);
  const [chromium, flutter] = await Promise.all([chromiumStatus(config), flutterStatus(config)]);
  return { checks, down, queue, sandbox, llm: status, projects: { chromium, flutter } };
}
