import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import type { Config, LanguageModelProviderName } from '../config/config.js';
import type { Database } from '../db/database.js';
import { cacheable, cacheKeyFor, fromCache, recordCached } from './cached-answers.js';
import { type CircuitBreaker, createCircuitBreaker } from './circuit-breaker.js';
import {
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from './language-model-errors.js';
import type {
  CallOutcome,
  ObjectRequest,
  ObjectResult,
  StreamTextRequest,
  TextRequest,
  TextResult,
} from './language-model-requests.js';
import type { LanguageModelStatus } from './language-model-status.js';
import { promptCharacters, promptOf, schemaAsJson, type Exchange, type Prompt, type Served } from './model-exchange.js';
import { callProvider, type ProviderCallContext } from './provider-call.js';
import { chooseModels, configuredProviders, defaultProvider, type ModelChoice } from './provider-settings.js';
import { createModelFactory, type Fetch, type ModelFactory } from './providers.js';
import { createResponseCache, type CachedAnswer } from './response-cache-store.js';
import { estimateTokens, reserveBudgets, type BudgetReservation } from './token-budgets.js';

export type {
  CallOutcome,
  ChatMessage,
  ObjectRequest,
  ObjectResult,
  StreamTextRequest,
  TextRequest,
  TextResult,
} from './language-model-requests.js';

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

  /** What a call to one provider needs: the service's settings and that provider's circuit and models. */
  const providerContext = (provider: LanguageModelProviderName): ProviderCallContext => ({
    orm,
    llm,
    now,
    sleep,
    random,
    timeoutMs,
    breaker: breakers.get(provider)!,
    factory: factories.get(provider)!,
  });

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
          const hit = await fromCache(cache, choice, prompt, exchange);
          if (hit) {
            await recordCached(orm, now, choice, request, started);
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
          const served = await callProvider(
            providerContext(choice.provider),
            choice,
            prompt,
            exchange,
            request,
            fellBack,
          );
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
    const served = await serve(request, prompt, exchange, cacheable(llm, request, exchange));
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
      const useCache = cacheable(llm, request, exchange);
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
