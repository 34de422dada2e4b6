import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { TextRequest } from './language-model-requests.js';
import { validateJson, type Answer, type Exchange, type Prompt } from './model-exchange.js';
import type { ModelChoice } from './provider-settings.js';
import { responseCacheKey, type ResponseCache } from './response-cache-store.js';
import { recordUsage } from './token-usage-store.js';

/** The response cache's key of a call: the model, what is asked for and everything sent. */
export function cacheKeyFor(choice: ModelChoice, prompt: Prompt, exchange: Exchange): string {
  return responseCacheKey({
    provider: choice.provider,
    model: choice.model,
    output: exchange.kind === 'object' ? { schema: exchange.schemaJson, name: exchange.schemaName } : 'text',
    system: prompt.system,
    messages: prompt.messages,
    temperature: prompt.temperature,
    maxOutputTokens: prompt.maxOutputTokens,
  });
}

/** Whether a call may use the response cache: caching is on, the call allows it and its schema is JSON. */
export const cacheable = (llm: Config['llm'], request: TextRequest, exchange: Exchange) =>
  llm.cacheTtlSeconds > 0 &&
  request.cache !== false &&
  (exchange.kind !== 'object' || exchange.schemaJson !== undefined);

/** A cached answer to the call (a cached object only if it still matches the schema); a stream gets it whole. */
export async function fromCache(
  cache: ResponseCache,
  choice: ModelChoice,
  prompt: Prompt,
  exchange: Exchange,
): Promise<Answer | undefined> {
  const entry = await cache.find(cacheKeyFor(choice, prompt, exchange));
  if (!entry) return undefined;
  if (exchange.kind === 'object') {
    const checked = validateJson(exchange.schema, entry.text);
    if (!checked.ok) return undefined;
    return {
      text: entry.text,
      object: checked.value,
      inputTokens: 0,
      outputTokens: 0,
      finishReason: entry.finishReason,
    };
  }
  if (exchange.kind === 'stream') exchange.onTextDelta(entry.text);
  return { text: entry.text, inputTokens: 0, outputTokens: 0, finishReason: entry.finishReason };
}

/** The usage row of an answer served from the cache: no tokens, no cost. */
export async function recordCached(
  orm: Database['orm'],
  now: () => Date,
  choice: ModelChoice,
  request: TextRequest,
  started: number,
) {
  await recordUsage(orm, {
    agentType: request.agentType,
    taskId: request.taskId,
    provider: choice.provider,
    model: choice.model,
    purpose: request.purpose,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    costEstimated: true,
    cached: true,
    outcome: 'ok',
    errorCode: undefined,
    durationMs: Date.now() - started,
    createdAt: now(),
  });
}
