import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { OptimizeResult } from '../analysis/imperium/optimize.js';
import type { FileChangeInput } from '../analysis/changes.js';
import type { ProposalFinding } from '../analysis/security-gate.js';
import {
  ComputeBusyError,
  type AnalyzeOutcome,
  type AnalyzeTask,
  type Compute,
  type DiffOutcome,
  type OptimizeTask,
  type ScannedChange,
} from './compute.js';
import * as tasks from './compute-tasks.js';

/** Worker threads by default: one core is left to the event loop (and the database), at least one thread. */
export const defaultPoolSize = () => Math.max(1, availableParallelism() - 1);

const WORKER_FILE = new URL('./compute-worker.js', import.meta.url);

/** Retry-After never asks for more than this, whatever the recent tasks took. */
const MAX_RETRY_AFTER_SECONDS = 60;

export interface ComputePoolOptions {
  /** worker threads */
  readonly size: number;
  /** tasks that may wait for a thread; one more is refused with ComputeBusyError */
  readonly maxQueue: number;
  /** called when a worker fails outside a task (a task's own failure rejects that task) */
  readonly onError: (error: unknown) => void;
  /** the worker entry; tests give one that wraps the real one */
  readonly workerFile?: URL | undefined;
  readonly workerData?: unknown;
}

/**
 * The CPU-heavy work in a bounded pool of worker threads (piscina), so a large analysis does not stall
 * every other request. The threads start on the first task (or `ready()`), which keeps apps that never
 * analyse anything, such as most tests, free of threads. Admission is counted here rather than left to
 * piscina's queue: `size` tasks run, `maxQueue` wait, and any more are refused at once with
 * ComputeBusyError, which the server answers with 503 `server_busy` and Retry-After.
 */
export function createComputePool(options: ComputePoolOptions): Compute {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('size must be a whole number ≥ 1');
  let pool: Piscina | undefined;
  let closed = false;
  let inFlight = 0;

  const start = () => {
    if (pool) return pool;
    pool = new Piscina({
      filename: (options.workerFile ?? WORKER_FILE).href,
      minThreads: options.size,
      maxThreads: options.size,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Admission is bounded above; piscina's own queue only ever holds what was admitted.
      maxQueue: Number.POSITIVE_INFINITY,
      workerData: options.workerData,
    });
    pool.on('error', options.onError);
    return pool;
  };

  const retryAfterSeconds = () => {
    const mean = pool?.histogram.runTime.mean ?? Number.NaN;
    const seconds = Number.isFinite(mean) ? Math.ceil(mean / 1000) : 1;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
  };

  async function run<Result>(name: string, input: unknown): Promise<Result> {
    if (closed) throw new Error('the compute pool is closed');
    if (inFlight >= options.size + options.maxQueue) {
      throw new ComputeBusyError(retryAfterSeconds(), inFlight - options.size);
    }
    inFlight += 1;
    try {
      return (await start().run(input, { name })) as Result;
    } finally {
      inFlight -= 1;
    }
  }

  return {
    mode: 'pool',
    analyze: (task: AnalyzeTask) => run<AnalyzeOutcome>('analyze', task),
    optimize: (task: OptimizeTask) => run<OptimizeResult>('optimize', task),
    diff: (inputs: readonly FileChangeInput[]) => run<DiffOutcome>('diff', inputs),
    securityGate: (changes: readonly ScannedChange[]) => run<ProposalFinding[]>('securityGate', changes),
    stats: () => ({ threads: pool?.threads.length ?? 0, inFlight }),
    async ready() {
      const threads = start();
      // One ping per thread: each loads the task module and every grammar, or the start-up fails.
      await Promise.all(Array.from({ length: options.size }, () => threads.run(undefined, { name: 'ping' })));
    },
    async close() {
      closed = true;
      await pool?.destroy();
    },
  };
}

/**
 * The same work on the caller's own thread (`COMPUTE_POOL_SIZE=0`): a large analysis blocks the event
 * loop while it runs. For comparison (the benchmark's baseline) and for one-off command-line use.
 */
export function createInlineCompute(): Compute {
  return {
    mode: 'inline',
    analyze: tasks.analyze,
    optimize: tasks.optimize,
    diff: tasks.diff,
    securityGate: tasks.securityGate,
    stats: () => ({ threads: 0, inFlight: 0 }),
    ready: async () => void (await tasks.ping()),
    close: async () => undefined,
  };
}
