import type { Finding } from '../analysis/guardian/finding.js';
import type { Language } from '../analysis/languages.js';
import type { OptimizeResult } from '../analysis/imperium/optimize.js';
import type { Impact } from '../analysis/imperium/rule.js';
import type { BuiltChanges, FileChangeInput } from '../analysis/changes.js';
import type { ProposalFinding } from '../analysis/security-gate.js';

/** A file for Guardian; `ruleIds` narrows the rules to those (all of the language's when left out). */
export interface AnalyzeTask {
  readonly code: string;
  readonly filePath: string;
  readonly language: Language;
  readonly ruleIds?: readonly string[] | undefined;
}

export interface AnalyzeOutcome {
  readonly findings: Finding[];
  /** how many rules ran */
  readonly rulesRun: number;
  /** rules that threw: their matches were skipped (the caller logs them) */
  readonly ruleErrors: { readonly ruleId: string; readonly message: string; readonly stack?: string | undefined }[];
}

export interface OptimizeTask {
  readonly code: string;
  readonly filePath: string;
  readonly language: Language;
  readonly goals?: readonly Impact[] | undefined;
}

export type DiffOutcome = BuiltChanges;

export type ScannedChange = Pick<FileChangeInput, 'file_path' | 'code_before' | 'code_after'>;

/**
 * The CPU-heavy work of a request: parsing and analysing code, optimising it, diffing files and the
 * proposal security gate. Inputs and outputs are plain data (they cross a thread boundary), so the same
 * calls run in the worker pool (src/compute/compute-pool.ts) or, when `COMPUTE_POOL_SIZE=0`, inline.
 */
export interface Compute {
  /** `pool`: worker threads; `inline`: on the caller's event loop */
  readonly mode: 'pool' | 'inline';
  analyze(task: AnalyzeTask): Promise<AnalyzeOutcome>;
  optimize(task: OptimizeTask): Promise<OptimizeResult>;
  diff(inputs: readonly FileChangeInput[]): Promise<DiffOutcome>;
  securityGate(changes: readonly ScannedChange[]): Promise<ProposalFinding[]>;
  /** threads alive now, and admitted tasks running or waiting for one */
  stats(): { readonly threads: number; readonly inFlight: number };
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
