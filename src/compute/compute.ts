import type { Finding } from '../analysis/guardian/finding.js';
import type { Language } from '../analysis/languages.js';
import type { OptimizeResult } from '../analysis/imperium/optimize.js';
import type { Impact } from '../analysis/imperium/rule.js';
import type { BuiltChanges, FileChangeInput } from '../analysis/changes.js';
import type { ProposalFinding } from '../analysis/security-gate.js';
import type { AcceptanceModel, Example } from '../analysis/acceptance/model.js';

/**
 * A file for Guardian; `ruleIds` narrows the rules to those (all of the language's when left out). The
 * language is the path's when left out (an unsupported one fails the task).
 */
export interface AnalyzeTask {
  readonly code: string;
  readonly filePath: string;
  readonly language?: Language | undefined;
  readonly ruleIds?: readonly string[] | undefined;
}

export interface AnalyzeOutcome {
  readonly findings: Finding[];
  /** how many rules ran */
  readonly rulesRun: number;
  /** rules that threw: their matches were skipped (the caller logs them) */
  readonly ruleErrors: { readonly ruleId: string; readonly message: string; readonly stack?: string | undefined }[];
}

/** `ruleIds` narrows the engine's rules to those (every rule when left out). */
export interface OptimizeTask {
  readonly code: string;
  readonly filePath: string;
  readonly language?: Language | undefined;
  readonly goals?: readonly Impact[] | undefined;
  readonly ruleIds?: readonly string[] | undefined;
}

/** How one call runs. */
export interface ComputeCallOptions {
  /** aborts the call (an agent task's cancellation or timeout); a running call's thread is terminated */
  readonly signal?: AbortSignal | undefined;
  /**
   * Background work (agent tasks) waits for a thread when the queue is full instead of being refused
   * with ComputeBusyError; it is bounded by the task workers' concurrency, not by the queue.
   */
  readonly background?: boolean | undefined;
}

export type DiffOutcome = BuiltChanges;

export type ScannedChange = Pick<FileChangeInput, 'file_path' | 'code_before' | 'code_after'>;

/**
 * The CPU-heavy work of a request: parsing and analysing code, optimising it, diffing files and the
 * proposal security gate; and of the acceptance model's refit after a review. Inputs and outputs are plain data (they cross a thread boundary), so the same
 * calls run in the worker pool (src/compute/compute-pool.ts) or, when `COMPUTE_POOL_SIZE=0`, inline.
 */
export interface Compute {
  /** `pool`: worker threads; `inline`: on the caller's event loop */
  readonly mode: 'pool' | 'inline';
  analyze(task: AnalyzeTask, options?: ComputeCallOptions): Promise<AnalyzeOutcome>;
  optimize(task: OptimizeTask, options?: ComputeCallOptions): Promise<OptimizeResult>;
  diff(inputs: readonly FileChangeInput[], options?: ComputeCallOptions): Promise<DiffOutcome>;
  securityGate(changes: readonly ScannedChange[], options?: ComputeCallOptions): Promise<ProposalFinding[]>;
  /** fits the acceptance model on these verdicts (`train` in src/learning/model.ts): the refit after a review */
  fitAcceptanceModel(examples: readonly Example[], options?: ComputeCallOptions): Promise<AcceptanceModel>;
  /** threads alive now, admitted tasks running or waiting for one, and tasks the threads finished */
  stats(): { readonly threads: number; readonly inFlight: number; readonly completed: number };
  /** loads the workers (and their parsers) and runs one task through each; throws when they cannot start */
  ready(): Promise<void>;
  /** terminates the workers; tasks still queued or running are rejected */
  close(): Promise<void>;
}

/** The pool's queue is full: the caller answers 503 `server_busy` with Retry-After. */
export class ComputeBusyError extends Error {
  readonly code = 'server_busy';
  constructor(
    /** a whole number of seconds, at least 1 */
    readonly retryAfterSeconds: number,
    readonly queued: number,
  ) {
    super(
      `The server is busy: ${queued} CPU-heavy request${queued === 1 ? '' : 's'} are waiting for a worker ` +
        `already. Retry after ${retryAfterSeconds} s.`,
    );
    this.name = 'ComputeBusyError';
  }
}

/**
 * A task ran on its thread longer than COMPUTE_TASK_TIMEOUT_MS (waiting for a thread does not count): the
 * thread was terminated and replaced. The input is what makes it slow, so a request answers 422
 * `compute_timeout`; an agent task counts the file as failed and goes on.
 */
export class ComputeTimeoutError extends Error {
  readonly code = 'compute_timeout';
  constructor(
    readonly task: string,
    readonly timeoutMs: number,
  ) {
    super(`The ${task} task took longer than ${timeoutMs} ms on its worker thread and was stopped.`);
    this.name = 'ComputeTimeoutError';
  }
}

/** The same compute with every call's options defaulting to `defaults` (an agent task's signal, background). */
export function withCallOptions(compute: Compute, defaults: ComputeCallOptions): Compute {
  return {
    ...compute,
    analyze: (task, call) => compute.analyze(task, { ...defaults, ...call }),
    optimize: (task, call) => compute.optimize(task, { ...defaults, ...call }),
    diff: (inputs, call) => compute.diff(inputs, { ...defaults, ...call }),
    securityGate: (changes, call) => compute.securityGate(changes, { ...defaults, ...call }),
    fitAcceptanceModel: (examples, call) => compute.fitAcceptanceModel(examples, { ...defaults, ...call }),
  };
}
