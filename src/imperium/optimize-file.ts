import { parsesCleanly } from '../analysis/guardian/parser.js';
import type { ImperiumLlmPass } from '../analysis/imperium/llm-pass.js';
import { UnsupportedLanguageError, type EngineChange } from '../analysis/imperium/optimize.js';
import type { Impact } from '../analysis/imperium/rule.js';
import { languageOfPath, type Language } from '../analysis/languages.js';
import type { Compute } from '../compute/compute.js';
import { LlmNotConfiguredError } from '../llm/language-model-errors.js';
import { securityGateFailure } from '../analysis/security-gate.js';

export type SourcedChange = EngineChange & { readonly source: 'engine' | 'llm' };

export interface FileOptimisation {
  readonly language: Language;
  readonly optimizedCode: string;
  readonly diff: string;
  /** applied in `optimizedCode` */
  readonly changes: SourcedChange[];
  /** reported, not applied */
  readonly suggestions: SourcedChange[];
  readonly parseErrors: boolean;
  readonly rulesRun: number;
  /** with the LLM pass: why the model's answer was dropped, null when it was used; undefined without it */
  readonly llmRejected: string | null | undefined;
}

const sourced = (change: EngineChange, source: 'engine' | 'llm'): SourcedChange => ({ ...change, source });

/**
 * Imperium's optimisation of one file, stored nowhere: the deterministic engine (in the compute pool, off
 * the event loop), then, with `useLlm`, the LLM pass over its result. The model's code is used only when it
 * still parses and Guardian finds nothing serious it introduces; otherwise the engine's result stands and
 * `llmRejected` says why. No language is UnsupportedLanguageError; `useLlm` without a pass is
 * LlmNotConfiguredError.
 */
export async function optimizeFile(
  dependencies: {
    readonly compute: Pick<Compute, 'optimize' | 'securityGate' | 'diff'>;
    readonly llmPass?: ImperiumLlmPass | undefined;
    readonly log: { error(details: object, message: string): void };
  },
  file: {
    readonly code: string;
    readonly filePath: string;
    readonly language?: Language | undefined;
    readonly goals?: readonly Impact[] | undefined;
    readonly useLlm: boolean;
  },
): Promise<FileOptimisation> {
  const { compute, llmPass, log } = dependencies;
  const { code, filePath, goals, useLlm } = file;
  const language = file.language ?? languageOfPath(filePath);
  if (!language) throw new UnsupportedLanguageError(filePath);
  if (useLlm && !llmPass) {
    throw new LlmNotConfiguredError(
      'use_llm needs an LLM provider, and none is configured; call again without use_llm for the deterministic engine alone.',
    );
  }
  const result = await compute.optimize({ code, filePath, language, goals });
  if (result.failedRules.length > 0) log.error({ rules: result.failedRules, filePath }, 'an Imperium rule failed');
  let optimizedCode = result.optimizedCode;
  let llmRejected: string | null = null;
  let diff = result.diff;
  const changes = result.changes.map((change) => sourced(change, 'engine'));
  if (useLlm && llmPass) {
    const proposed = await llmPass.improve({
      code: optimizedCode,
      filePath,
      language,
      goals,
      engineChanges: result.changes,
    });
    if (!(await parsesCleanly(proposed.optimizedCode, language))) {
      llmRejected = 'the model answered code that does not parse';
    } else if (proposed.optimizedCode !== optimizedCode) {
      const introduced = await compute.securityGate([
        { file_path: filePath, code_before: optimizedCode, code_after: proposed.optimizedCode },
      ]);
      const blocking = securityGateFailure(introduced);
      if (blocking) {
        llmRejected = `Guardian: ${blocking}`;
      } else {
        optimizedCode = proposed.optimizedCode;
        diff = (await compute.diff([{ file_path: filePath, code_before: code, code_after: optimizedCode }])).diff;
        changes.push(...proposed.changes.map((change) => sourced(change, 'llm')));
      }
    }
  }
  return {
    language,
    optimizedCode,
    diff,
    changes,
    suggestions: result.suggestions.map((change) => sourced(change, 'engine')),
    parseErrors: result.parseErrors,
    rulesRun: result.rulesRun,
    llmRejected: useLlm ? llmRejected : undefined,
  };
}
