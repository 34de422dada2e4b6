import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { OptimizeResult } from '../analysis/imperium/optimize.js';
import type { FileChangeInput } from '../analysis/changes.js';
import type { ProposalFinding } from '../analysis/security-gate.js';
import {
  ComputeBusyError,
  ComputeTimeoutError,
  type AnalyzeOutcome,
  type AnalyzeTask,
  type Compute,
  type ComputeCallOptions,
  type DiffOutcome,
  type OptimizeTask,
  type ScannedChange,
} from './compute.js';
import * as tasks from './compute-tasks.js';
import type { AcceptanceModel, Example } from '../analysis/acceptance/model.js';

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
  /** how long one task may run on its thread before the thread is terminated (ComputeTimeoutError) */
  readonly taskTimeoutMs: number;
  /** starts a task's deadline timer; tests give one they fire themselves */
  readonly startTimer?: ((onTimeout: () => void, ms: number) => () => void) | undefined;
}

const realTimer = (onTimeout: () => void, ms: number) => {
  const timer = setTimeout(onTimeout, ms);
  return () => clearTimeout(timer);
};

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
  let nextTaskId = 0;
  const startTimer = options.startTimer ?? realTimer;
  /** tasks submitted and not settled: their deadline starts when their thread says it started them */
  const deadlines = new Map<number, () => void>();

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
    pool.on('message', (message: unknown) => {
      const id = (message as { computeTaskStarted?: unknown } | null)?.computeTaskStarted;
      if (typeof id === 'number') deadlines.get(id)?.();
    });
    return pool;
  };

  const retryAfterSeconds = () => {
    const mean = pool?.histogram.runTime.mean ?? Number.NaN;
    const seconds = Number.isFinite(mean) ? Math.ceil(mean / 1000) : 1;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
  };

  async function run<Result>(name: string, input: unknown, call: ComputeCallOptions = {}): Promise<Result> {
    if (closed) throw new Error('the compute pool is closed');
    if (!call.background && inFlight >= options.size + options.maxQueue) {
      throw new ComputeBusyError(retryAfterSeconds(), inFlight - options.size);
    }
    call.signal?.throwIfAborted();
    inFlight += 1;
    const id = (nextTaskId += 1);
    // Aborting a running task makes piscina terminate its thread (and start another): the only way to
    // stop a synchronous parse or rule that never yields.
    const deadline = new AbortController();
    const timeout = new ComputeTimeoutError(name, options.taskTimeoutMs);
    let stopTimer: (() => void) | undefined;
    deadlines.set(id, () => {
      deadlines.delete(id);
      stopTimer = startTimer(() => deadline.abort(timeout), options.taskTimeoutMs);
    });
    const signal = call.signal ? AbortSignal.any([deadline.signal, call.signal]) : deadline.signal;
    try {
      return (await start().run({ id, input }, { name, signal })) as Result;
    } catch (error) {
      if (deadline.signal.aborted) throw timeout;
      if (call.signal?.aborted) throw call.signal.reason;
      throw error;
    } finally {
      deadlines.delete(id);
      stopTimer?.();
      inFlight -= 1;
    }
  }

  return {
    mode: 'pool',
    analyze: (task: AnalyzeTask, call?: ComputeCallOptions) => run<AnalyzeOutcome>('analyze', task, call),
    optimize: (task: OptimizeTask, call?: ComputeCallOptions) => run<OptimizeResult>('optimize', task, call),
    diff: (inputs: readonly FileChangeInput[], call?: ComputeCallOptions) => run<DiffOutcome>('diff', inputs, call),
    securityGate: (changes: readonly ScannedChange[], call?: ComputeCallOptions) =>
      run<ProposalFinding[]>('securityGate', changes, call),
    fitAcceptanceModel: (examples: readonly Example[], call?: ComputeCallOptions) =>
      run<AcceptanceModel>('fitAcceptanceModel', examples, call),
    stats: () => ({ threads: pool?.threads.length ?? 0, inFlight, completed: pool?.completed ?? 0 }),
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
  // Nothing can interrupt work on the caller's own thread: no deadline, and a signal only stops a call
  // that has not started.
  const inline =
    <Input, Result>(work: (input: Input) => Promise<Result>) =>
    async (input: Input, call?: ComputeCallOptions) => {
      call?.signal?.throwIfAborted();
      return work(input);
    };
  return {
    mode: 'inline',
    analyze: inline(tasks.analyze),
    optimize: inline(tasks.optimize),
    diff: inline(tasks.diff),
    securityGate: inline(tasks.securityGate),
    fitAcceptanceModel: inline(tasks.fitAcceptanceModel),
    stats: () => ({ threads: 0, inFlight: 0, completed: 0 }),
    ready: async () => void (await tasks.ping()),
    close: async () => undefined,
  };
}

/** The compute a process runs with, from its configuration: `lvlup serve` and `lvlup worker` alike. */
export function computeFromConfig(
  settings: { readonly poolSize: number; readonly maxQueue: number; readonly taskTimeoutMs: number },
  onError: (error: unknown) => void,
): Compute {
  if (settings.poolSize === 0) return createInlineCompute();
  return createComputePool({
    size: settings.poolSize,
    maxQueue: settings.maxQueue,
    taskTimeoutMs: settings.taskTimeoutMs,
    onError,
  });
}
