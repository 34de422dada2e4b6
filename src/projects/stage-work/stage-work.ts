import type { Config } from '../../config/config.js';
import type { ModelRun } from '../model-engine/ask-model.js';
import type { Engine } from '../project-engine.js';
import type { Project } from '../project-store.js';

/** What a stage runs with: the project, its work tree (at the commit the stage starts from) and a log. */
export interface StageInput {
  readonly project: Project;
  readonly folder: string;
  readonly signal: AbortSignal;
  readonly config: Pick<
    Config,
    | 'dataDirectory'
    | 'projectPackageCache'
    | 'sandboxMode'
    | 'sandboxBwrapPath'
    | 'sandboxWorkDirectory'
    | 'chromiumPath'
    | 'flutterPath'
  >;
  readonly log: (message: string) => Promise<void>;
  /** which engine writes the app: `model` when the model wrote (or writes, in stages 1 and 2) the spec */
  readonly engine: Engine;
  /** how a stage of the model engine asks the model: its budgets, repairs and accounting (model engine only) */
  readonly model?: ModelRun | undefined;
}

export interface StageArtifact {
  readonly kind: string;
  readonly name: string;
  readonly mediaType: string;
  readonly content: string | Buffer;
}

/** What a stage produced: files committed to the work tree, and artifacts stored with the stage. */
export interface StageOutput {
  readonly files: Readonly<Record<string, string>>;
  readonly artifacts: readonly StageArtifact[];
  /** set when the stage did not apply (e.g. no frontend for an `api` target): why */
  readonly skipped?: string | undefined;
  /** set when the stage did its work but one of its steps did not run (no Chromium, no Flutter): which, and why */
  readonly note?: string | undefined;
}

export type StageWork = (input: StageInput) => Promise<StageOutput>;

/** A stage that cannot do its work: the run stops there with this code and message. */
export class StageFailedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'StageFailedError';
  }
}
