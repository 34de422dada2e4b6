import type { LanguageModelProviderName } from '../config/config.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

/**
 * List prices of well-known models (US dollars per million tokens, standard tier, as published by OpenAI and
 * Anthropic in 2025). They are estimates: discounts, batch or priority tiers and prompt-cache pricing are not
 * modelled. LLM_PRICES adds models or replaces these entries.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};

export interface CostEstimate {
  readonly costUsd: number;
  /** false when no price is known for the model: the cost is then 0 without being known */
  readonly costEstimated: boolean;
}

/**
 * The price of a model: an exact entry, else the longest entry that the name starts with followed by `-`
 * (dated snapshots such as gpt-4o-2024-08-06 or claude-sonnet-4-5-20250929). Entries of `overrides` win.
 */
export function findPrice(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | undefined {
  for (const table of [overrides, BUILT_IN_PRICES]) {
    const exact = Object.hasOwn(table, model) ? table[model] : undefined;
    if (exact) return exact;
    const prefix = Object.keys(table)
      .filter((name) => model.startsWith(`${name}-`))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) return table[prefix];
  }
  return undefined;
}

/**
 * What a call cost. Models served by Ollama run on the user's own machine and cost nothing per token unless
 * LLM_PRICES says otherwise; an unknown model anywhere else is 0 with `costEstimated: false`.
 */
export function estimateCost(
  call: {
    readonly provider: LanguageModelProviderName;
    readonly model: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
  },
  overrides: Readonly<Record<string, ModelPrice>> = {},
): CostEstimate {
  if (call.inputTokens === 0 && call.outputTokens === 0) return { costUsd: 0, costEstimated: true };
  const price = findPrice(call.model, overrides) ?? (call.provider === 'ollama' ? { input: 0, output: 0 } : undefined);
  if (!price) return { costUsd: 0, costEstimated: false };
  const costUsd = (call.inputTokens * price.input + call.outputTokens * price.output) / 1_000_000;
  return { costUsd: Math.round(costUsd * 1e9) / 1e9, costEstimated: true };
}
