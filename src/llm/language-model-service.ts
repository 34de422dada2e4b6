import { setTimeout as delay } from 'node:timers/promises';
import {
  generateText as sdkGenerateText,
  type LanguageModelUsage,
  type ModelMessage,
  NoObjectGeneratedError,
  Output,
  streamText as sdkStreamText,
} from 'ai';
import { z } from 'zod';
import type { Config, LanguageModelProviderName } from '../config/config.js';
import type { Database } from '../db/database.js';
import { type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';
import {
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from './language-model-errors.js';
import type { LanguageModelStatus } from './language-model-status.js';
import { estimateCost } from './prices.js';
import { chooseModels, configuredProviders, defaultProvider, type ModelChoice } from './provider-settings.js';
import { createModelFactory, type Fetch, type ModelFactory } from './providers.js';
import { createResponseCache, type CachedAnswer, responseCacheKey } from './response-cache-store.js';
import { classifyFailure, delayBeforeRetryMs, LONGEST_RETRY_AFTER_MS, type AttemptFailure } from './retry-policy.js';
import { estimateTokens, reserveBudgets, type BudgetReservation } from './token-budgets.js';
import { recordUsage } from './token-usage-store.js';

/** One message of a conversation (the system prompt is separate). */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A call for text. Give `prompt`, `messages`, or both (the prompt then follows the messages). */
export interface TextRequest {
  /** whose call it is: picks the model (LLM_MODEL_<AGENT>) and the budgets, and is recorded */
  readonly agentType: string;
  /** the task it is made for, recorded with the usage */
  readonly taskId?: string | undefined;
  /** what it is for (e.g. `explain-finding`), recorded with the usage */
  readonly purpose: string;
  readonly system?: string | undefined;
  readonly prompt?: string | undefined;
  readonly messages?: readonly ChatMessage[] | undefined;
  readonly temperature?: number | undefined;
  readonly maxOutputTokens?: number | undefined;
  /** aborts the call (a task's signal); an aborted call is not retried */
  readonly signal?: AbortSignal | undefined;
  /** false: neither read nor write the response cache for this call (default true) */
  readonly cache?: boolean | undefined;
}

export interface StreamTextRequest extends TextRequest {
  /** each piece of text as it arrives; an answer from the cache arrives as one piece */
  readonly onTextDelta: (delta: string) => void;
}

export interface ObjectRequest<Schema extends z.ZodType> extends TextRequest {
  /** what the answer must be; the provider is asked for JSON of this shape and the answer is validated */
  readonly schema: Schema;
  readonly schemaName?: string | undefined;
  readonly schemaDescription?: string | undefined;
}

/** What every answer says about how it was obtained. */
export interface CallOutcome {
  readonly provider: LanguageModelProviderName;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** false when the model has no known price (the cost then reads 0) */
  readonly costEstimated: boolean;
  /** served from the response cache: nothing was sent, no tokens were spent */
  readonly cached: boolean;
  /** whether the fallback provider answered */
  readonly fellBack: boolean;
  readonly finishReason: string;
}

export interface TextResult extends CallOutcome {
  readonly text: string;
}

export interface ObjectResult<Value> extends CallOutcome {
  readonly object: Value;
  /** the JSON as the model wrote it */
  readonly text: string;
  /** the first answer was invalid and the repair attempt fixed it (tokens are those of both calls) */
  readonly repaired: boolean;
}

/**
 * The one way lvlup talks to language models. Every call picks the agent's model, checks the budgets
 * before anything is sent, retries what is worth retrying (honouring Retry-After), keeps a circuit per
 * provider, falls back to the fallback provider, caches exact answers, and records a usage row.
 */
export interface LanguageModelService {
  /** whether a provider is configured; when not, every call throws LlmNotConfiguredError */
  isConfigured(): boolean;
  /** the provider and model an agent's calls go to (and their fallback); throws LlmNotConfiguredError */
  modelsFor(agentType: string): { primary: ModelChoice; fallback: ModelChoice | undefined };
  generateText(request: TextRequest): Promise<TextResult>;
  /** generateText, receiving the text as it is written (server-sent events from the provider) */
  streamText(request: StreamTextRequest): Promise<TextResult>;
  /**
   * JSON validated against `schema`. An invalid answer gets one repair attempt that is told what was wrong;
   * a second invalid answer throws LlmInvalidOutputError.
   */
  generateObject<Schema extends z.ZodType>(request: ObjectRequest<Schema>): Promise<ObjectResult<z.output<Schema>>>;
  status(): LanguageModelStatus;
}

export interface LanguageModelServiceSettings {
  readonly database: Pick<Database, 'orm'>;
  readonly config: Pick<Config, 'llm'>;
  /** how HTTP requests are made (the AI SDK's fetch setting) */
  readonly fetch?: Fetch | undefined;
  readonly now?: (() => Date) | undefined;
  /** waits between attempts; resolves early with a rejection when `signal` aborts */
  readonly sleep?: ((milliseconds: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** jitter source for backoff */
  readonly random?: (() => number) | undefined;
  /** how long one request may take; LLM_TIMEOUT_SECONDS unless given */
  readonly timeoutMs?: number | undefined;
}

type Exchange =
  | { readonly kind: 'text' }
  | { readonly kind: 'stream'; readonly onTextDelta: (delta: string) => void; delivered: boolean }
  | {
      readonly kind: 'object';
      readonly schema: z.ZodType;
      readonly schemaJson: unknown;
      readonly schemaName: string | undefined;
      readonly schemaDescription: string | undefined;
    };

interface Prompt {
  readonly system: string | undefined;
  readonly messages: readonly ChatMessage[];
  readonly temperature: number | undefined;
  readonly maxOutputTokens: number | undefined;
}

/** What one provider answered (or the cache held). `issues` is set when an object answer was invalid. */
interface Answer {
  readonly text: string;
  readonly object?: unknown;
  readonly issues?: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly finishReason: string;
}

interface Served {
  readonly choice: ModelChoice;
  readonly answer: Answer;
  readonly cached: boolean;
  readonly fellBack: boolean;
  readonly costUsd: number;
  readonly costEstimated: boolean;
}

const tokens = (usage: LanguageModelUsage | undefined) => ({
  inputTokens: usage?.inputTokens ?? 0,
  outputTokens: usage?.outputTokens ?? 0,
});

const isAbort = (error: unknown) =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/** Checks JSON text against a schema: the value, or what is wrong with it. */
function validateJson(schema: z.ZodType, text: string): { ok: true; value: unknown } | { ok: false; issues: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: `the answer is not valid JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(parsed);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: z.prettifyError(result.error) };
}

function schemaAsJson(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return undefined;
  }
}

export function createLanguageModelService(settings: LanguageModelServiceSettings): LanguageModelService {
  const { orm } = settings.database;
  const llm = settings.config.llm;
  const now = settings.now ?? (() => new Date());
  const sleep = settings.sleep ?? ((milliseconds, signal) => delay(milliseconds, undefined, { signal }));
  const random = settings.random ?? Math.random;
  const timeoutMs = settings.timeoutMs ?? llm.timeoutSeconds * 1000;
  // How long a call's budget reservation may be held: every attempt timing out, plus time for backoff.
  const reservationMs = timeoutMs * (llm.maxRetries + 1) + 60_000;
  const cache = createResponseCache(orm, now);
  const endpoints = configuredProviders(llm);
  const factories = new Map<LanguageModelProviderName, ModelFactory>(
    endpoints.map((endpoint) => [endpoint.provider, createModelFactory(endpoint, settings.fetch)]),
  );
  const breakers = new Map<LanguageModelProviderName, CircuitBreaker>(
    endpoints.map((endpoint) => [
      endpoint.provider,
      createCircuitBreaker({
        provider: endpoint.provider,
        failureThreshold: llm.circuitFailureThreshold,
        openMs: llm.circuitOpenSeconds * 1000,
        now,
      }),
    ]),
  );

  const notConfiguredReason = (): string | undefined => {
    try {
      chooseModels(llm, '');
      return undefined;
    } catch (error) {
      if (error instanceof LlmNotConfiguredError) return error.message;
      throw error;
    }
  };

  /** One request to one provider, bounded by the timeout and the caller's signal. */
  async function attempt(choice: ModelChoice, prompt: Prompt, exchange: Exchange, signal: AbortSignal) {
    const model = factories.get(choice.provider)!(choice.model);
    const common = {
      model,
      system: prompt.system,
      messages: prompt.messages.map((message): ModelMessage => ({ role: message.role, content: message.content })),
      temperature: prompt.temperature,
      maxOutputTokens: prompt.maxOutputTokens,
      maxRetries: 0,
      abortSignal: signal,
    };
    if (exchange.kind === 'text') {
      const result = await sdkGenerateText(common);
      return { text: result.text, ...tokens(result.totalUsage), finishReason: result.finishReason };
    }
    if (exchange.kind === 'object') {
      try {
        const result = await sdkGenerateText({
          ...common,
          output: Output.object({
            schema: exchange.schema,
            name: exchange.schemaName,
            description: exchange.schemaDescription,
          }),
        });
        return {
          text: result.text,
          object: result.output,
          ...tokens(result.totalUsage),
          finishReason: result.finishReason,
        };
      } catch (error) {
        if (!NoObjectGeneratedError.isInstance(error)) throw error;
        const text = error.text ?? '';
        const checked = validateJson(exchange.schema, text);
        return {
          text,
          issues: checked.ok ? 'the answer did not match the schema' : checked.issues,
          ...tokens(error.usage),
          finishReason: error.finishReason ?? 'unknown',
        };
      }
    }
    let text = '';
    let usage: LanguageModelUsage | undefined;
    let finishReason = 'unknown';
    const result = sdkStreamText({ ...common, onError: () => {} });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        text += part.text;
        exchange.delivered = true;
        exchange.onTextDelta(part.text);
      } else if (part.type === 'error') {
        throw part.error;
      } else if (part.type === 'abort') {
        throw signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
      } else if (part.type === 'finish') {
        usage = part.totalUsage;
        finishReason = part.finishReason;
      }
    }
    return { text, ...tokens(usage), finishReason };
  }

  /** A provider call with its retries, circuit and usage row. */
  async function callProvider(
    choice: ModelChoice,
    prompt: Prompt,
    exchange: Exchange,
    request: TextRequest,
    fellBack: boolean,
  ): Promise<Served> {
    const breaker = breakers.get(choice.provider)!;
    const started = Date.now();
    let attempts = 0;
    const record = async (answer: Answer | undefined, errorCode: string | undefined) => {
      const used = { inputTokens: answer?.inputTokens ?? 0, outputTokens: answer?.outputTokens ?? 0 };
      const cost = estimateCost({ ...choice, ...used }, llm.prices);
      await recordUsage(orm, {
        agentType: request.agentType,
        taskId: request.taskId,
        provider: choice.provider,
        model: choice.model,
        purpose: request.purpose,
        ...used,
        ...cost,
        cached: false,
        outcome: errorCode ? 'error' : 'ok',
        errorCode,
        durationMs: Date.now() - started,
        createdAt: now(),
      });
      return cost;
    };
    const fail = async (failure: AttemptFailure, error: unknown, note = '') => {
      await record(undefined, failure.reason);
      return new LlmProviderError(
        `${choice.provider} (${choice.model}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${failure.message}${note}`,
        {
          provider: choice.provider,
          model: choice.model,
          reason: failure.reason,
          status: failure.status,
          retryable: failure.retryable,
          retryAfterSeconds: failure.retryAfterMs === undefined ? undefined : Math.ceil(failure.retryAfterMs / 1000),
          attempts,
        },
        { cause: error },
      );
    };

    breaker.acquire();
    for (;;) {
      attempts += 1;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      let answer: Answer;
      try {
        answer = await attempt(choice, prompt, exchange, signal);
      } catch (error) {
        if (request.signal?.aborted) {
          breaker.release();
          await record(undefined, 'aborted');
          throw request.signal.reason;
        }
        const failure = classifyFailure(timeout.aborted && isAbort(error) ? timeout.reason : error, now());
        if (failure.countsAgainstProvider) breaker.recordFailure();
        else breaker.recordSuccess();
        const streamed = exchange.kind === 'stream' && exchange.delivered;
        if (!failure.retryable || attempts > llm.maxRetries || streamed) throw await fail(failure, error);
        const wait = delayBeforeRetryMs(failure, attempts, random);
        if (wait > LONGEST_RETRY_AFTER_MS) {
          throw await fail(failure, error, ` (the provider asked to wait ${Math.ceil(wait / 1000)} s)`);
        }
        if (breaker.snapshot().state !== 'closed') throw await fail(failure, error, ' (its circuit opened)');
        try {
          await sleep(wait, request.signal);
        } catch (aborted) {
          await record(undefined, 'aborted');
          throw aborted;
        }
        breaker.acquire();
        continue;
      }
      breaker.recordSuccess();
      const cost = await record(answer, answer.issues === undefined ? undefined : 'llm_invalid_output');
      return { choice, answer, cached: false, fellBack, ...cost };
    }
  }

  /** The characters a call sends: system, messages and, for an object, the schema. */
  function promptCharacters(prompt: Prompt, exchange: Exchange): number {
    return (
      (prompt.system?.length ?? 0) +
      JSON.stringify(prompt.messages).length +
      (exchange.kind === 'object' ? JSON.stringify(exchange.schemaJson ?? null).length : 0)
    );
  }

  function cacheKeyFor(choice: ModelChoice, prompt: Prompt, exchange: Exchange): string {
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

  const cacheable = (request: TextRequest, exchange: Exchange) =>
    llm.cacheTtlSeconds > 0 &&
    request.cache !== false &&
    (exchange.kind !== 'object' || exchange.schemaJson !== undefined);

  async function fromCache(choice: ModelChoice, prompt: Prompt, exchange: Exchange): Promise<Answer | undefined> {
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

  async function recordCached(choice: ModelChoice, request: TextRequest, started: number) {
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

  /**
   * One logical call: the cache, the budgets, then the primary provider and, when it fails or its circuit
   * is open, the fallback. An invalid object answer is returned (with `issues`) for the caller to repair.
   */
  async function serve(request: TextRequest, prompt: Prompt, exchange: Exchange, useCache: boolean): Promise<Served> {
    const { primary, fallback } = chooseModels(llm, request.agentType);
    const candidates = fallback ? [primary, fallback] : [primary];
    const started = Date.now();
    let reservation: BudgetReservation | undefined;
    try {
      for (const [index, choice] of candidates.entries()) {
        const fellBack = index > 0;
        if (useCache) {
          const hit = await fromCache(choice, prompt, exchange);
          if (hit) {
            await recordCached(choice, request, started);
            return { choice, answer: hit, cached: true, fellBack, costUsd: 0, costEstimated: true };
          }
        }
        reservation ??= await reserveBudgets(orm, llm, {
          agentType: request.agentType,
          tokens: estimateTokens(promptCharacters(prompt, exchange), prompt.maxOutputTokens),
          now: now(),
          expiresAt: new Date(now().getTime() + reservationMs * candidates.length),
        });
        try {
          const served = await callProvider(choice, prompt, exchange, request, fellBack);
          if (useCache && served.answer.issues === undefined) {
            const answer: CachedAnswer = { text: served.answer.text, finishReason: served.answer.finishReason };
            await cache.store(cacheKeyFor(choice, prompt, exchange), {
              provider: choice.provider,
              model: choice.model,
              answer,
              ttlSeconds: llm.cacheTtlSeconds,
            });
          }
          return served;
        } catch (error) {
          const providerTrouble = error instanceof LlmProviderError || error instanceof CircuitOpenError;
          const streamed = exchange.kind === 'stream' && exchange.delivered;
          if (!providerTrouble || index === candidates.length - 1 || streamed || request.signal?.aborted) throw error;
        }
      }
      throw new Error('unreachable: every candidate either answers or throws');
    } finally {
      // The usage row is written by now, so the reservation is no longer needed; one that cannot be deleted
      // (the database is gone) stops counting when it expires.
      await reservation?.release().catch(() => undefined);
    }
  }

  function promptOf(request: TextRequest): Prompt {
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

  const outcome = (served: Served, inputTokens: number, outputTokens: number): CallOutcome => ({
    provider: served.choice.provider,
    model: served.choice.model,
    inputTokens,
    outputTokens,
    costUsd: served.costUsd,
    costEstimated: served.costEstimated,
    cached: served.cached,
    fellBack: served.fellBack,
    finishReason: served.answer.finishReason,
  });

  async function text(request: TextRequest, exchange: Exchange): Promise<TextResult> {
    const prompt = promptOf(request);
    const served = await serve(request, prompt, exchange, cacheable(request, exchange));
    return { ...outcome(served, served.answer.inputTokens, served.answer.outputTokens), text: served.answer.text };
  }

  return {
    isConfigured: () => notConfiguredReason() === undefined,
    modelsFor: (agentType) => chooseModels(llm, agentType),
    generateText: (request) => text(request, { kind: 'text' }),
    streamText: (request) => text(request, { kind: 'stream', onTextDelta: request.onTextDelta, delivered: false }),
    async generateObject<Schema extends z.ZodType>(
      request: ObjectRequest<Schema>,
    ): Promise<ObjectResult<z.output<Schema>>> {
      const prompt = promptOf(request);
      const exchange: Exchange = {
        kind: 'object',
        schema: request.schema,
        schemaJson: schemaAsJson(request.schema),
        schemaName: request.schemaName,
        schemaDescription: request.schemaDescription,
      };
      const useCache = cacheable(request, exchange);
      const first = await serve(request, prompt, exchange, useCache);
      if (first.answer.issues === undefined) {
        return {
          ...outcome(first, first.answer.inputTokens, first.answer.outputTokens),
          object: first.answer.object as z.output<Schema>,
          text: first.answer.text,
          repaired: false,
        };
      }
      const repairPrompt: Prompt = {
        ...prompt,
        messages: [
          ...prompt.messages,
          { role: 'assistant', content: first.answer.text },
          {
            role: 'user',
            content:
              `Your answer does not match the required JSON schema:\n${first.answer.issues}\n` +
              'Answer again with only the corrected JSON, nothing else.',
          },
        ],
      };
      const second = await serve({ ...request, purpose: `${request.purpose} (repair)` }, repairPrompt, exchange, false);
      if (second.answer.issues !== undefined) {
        throw new LlmInvalidOutputError(
          `The model's answer did not match the schema, also after one repair attempt: ${second.answer.issues}`,
          second.answer.issues,
          second.answer.text,
        );
      }
      if (useCache) {
        await cache.store(cacheKeyFor(second.choice, prompt, exchange), {
          provider: second.choice.provider,
          model: second.choice.model,
          answer: { text: second.answer.text, finishReason: second.answer.finishReason },
          ttlSeconds: llm.cacheTtlSeconds,
        });
      }
      return {
        ...outcome(
          second,
          first.answer.inputTokens + second.answer.inputTokens,
          first.answer.outputTokens + second.answer.outputTokens,
        ),
        costUsd: first.costUsd + second.costUsd,
        costEstimated: first.costEstimated && second.costEstimated,
        object: second.answer.object as z.output<Schema>,
        text: second.answer.text,
        repaired: true,
      };
    },
    status(): LanguageModelStatus {
      const problem = notConfiguredReason();
      return {
        configured: problem === undefined,
        default_provider: defaultProvider(llm) ?? null,
        fallback_provider: llm.fallbackProvider ?? null,
        providers: endpoints.map((endpoint) => {
          const snapshot = breakers.get(endpoint.provider)!.snapshot();
          return {
            provider: endpoint.provider,
            base_url: endpoint.baseUrl ?? null,
            circuit: snapshot.state,
            consecutive_failures: snapshot.consecutiveFailures,
            retry_at: snapshot.retryAt?.toISOString() ?? null,
          };
        }),
        problem: problem ?? null,
      };
    },
  };
}
