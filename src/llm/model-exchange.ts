import type { LanguageModelUsage } from 'ai';
import { z } from 'zod';
import type { ChatMessage, TextRequest } from './language-model-requests.js';
import type { ModelChoice } from './provider-settings.js';

/** What a call asks for: text, streamed text, or JSON of a schema. */
export type Exchange =
  | { readonly kind: 'text' }
  | { readonly kind: 'stream'; readonly onTextDelta: (delta: string) => void; delivered: boolean }
  | {
      readonly kind: 'object';
      readonly schema: z.ZodType;
      readonly schemaJson: unknown;
      readonly schemaName: string | undefined;
      readonly schemaDescription: string | undefined;
    };

/** The system prompt, messages and sampling settings one call sends. */
export interface Prompt {
  readonly system: string | undefined;
  readonly messages: readonly ChatMessage[];
  readonly temperature: number | undefined;
  readonly maxOutputTokens: number | undefined;
}

/** What one provider answered (or the cache held). `issues` is set when an object answer was invalid. */
export interface Answer {
  readonly text: string;
  readonly object?: unknown;
  readonly issues?: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly finishReason: string;
}

/** How a call was served: by which model, from the cache or not, at what cost. */
export interface Served {
  readonly choice: ModelChoice;
  readonly answer: Answer;
  readonly cached: boolean;
  readonly fellBack: boolean;
  readonly costUsd: number;
  readonly costEstimated: boolean;
}

export const tokens = (usage: LanguageModelUsage | undefined) => ({
  inputTokens: usage?.inputTokens ?? 0,
  outputTokens: usage?.outputTokens ?? 0,
});

export const isAbort = (error: unknown) =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/** Checks JSON text against a schema: the value, or what is wrong with it. */
export function validateJson(
  schema: z.ZodType,
  text: string,
): { ok: true; value: unknown } | { ok: false; issues: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: `the answer is not valid JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(parsed);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: z.prettifyError(result.error) };
}

/** The schema as JSON Schema, as the provider is asked for it; undefined when zod cannot express it. */
export function schemaAsJson(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return undefined;
  }
}

/** The prompt of a request: its messages, then its `prompt` as the last user message. */
export function promptOf(request: TextRequest): Prompt {
  const messages = [
    ...(request.messages ?? []),
    ...(request.prompt !== undefined ? [{ role: 'user' as const, content: request.prompt }] : []),
  ];
  if (messages.length === 0) throw new TypeError('A language model request needs a prompt or messages.');
  return {
    system: request.system,
    messages,
    temperature: request.temperature,
    maxOutputTokens: request.maxOutputTokens,
  };
}

/** The characters a call sends: system, messages and, for an object, the schema. */
export function promptCharacters(prompt: Prompt, exchange: Exchange): number {
  return (
    (prompt.system?.length ?? 0) +
    JSON.stringify(prompt.messages).length +
    (exchange.kind === 'object' ? JSON.stringify(exchange.schemaJson ?? null).length : 0)
  );
}
