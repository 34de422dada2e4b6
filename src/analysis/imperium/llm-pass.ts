import type { Language } from '../languages.js';
import type { EngineChange } from './optimize.js';
import type { Impact } from './rule.js';

/**
 * The seam for an LLM pass after the deterministic engine (implemented over the language model service in
 * ../llm-pass.ts). It gets the engine's output and answers further changes; the caller verifies that the
 * code it answers still parses (and Guardian scans it) before using it, and never presents LLM output as
 * the engine's.
 */
export interface ImperiumLlmPass {
  improve(input: {
    readonly code: string;
    readonly filePath: string;
    readonly language: Language;
    readonly goals: readonly Impact[] | undefined;
    readonly engineChanges: readonly EngineChange[];
    readonly signal?: AbortSignal;
  }): Promise<{ optimizedCode: string; changes: EngineChange[] }>;
}
