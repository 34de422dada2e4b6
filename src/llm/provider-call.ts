import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { LlmProviderError } from './language-model-errors.js';
import type { TextRequest } from './language-model-requests.js';
import { isAbort, type Answer, type Exchange, type Prompt, type Served } from './model-exchange.js';
import { estimateCost } from './prices.js';
import type { ModelChoice } from './provider-settings.js';
import { requestAnswer } from './provider-request.js';
import type { ModelFactory } from './providers.js';
import { classifyFailure, delayBeforeRetryMs, LONGEST_RETRY_AFTER_MS, type AttemptFailure } from './retry-policy.js';
import { recordUsage } from './token-usage-store.js';

/** What a provider call needs from its service: the database, settings, clock, waits and the provider's parts. */
export interface ProviderCallContext {
  readonly orm: Database['orm'];
  readonly llm: Config['llm'];
  readonly now: () => Date;
  /** waits between attempts; rejects when `signal` aborts */
  readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  /** how long one request may take */
  readonly timeoutMs: number;
  /** the provider's circuit */
  readonly breaker: CircuitBreaker;
  /** the provider's models */
  readonly factory: ModelFactory;
}

/**
 * A provider call with its retries, circuit and usage row: retries what is worth retrying (honouring
 * Retry-After up to LONGEST_RETRY_AFTER_MS) while the circuit stays closed, never after a stream delivered
 * text, and writes one usage row for the call whatever its end.
 */
export async function callProvider(
  context: ProviderCallContext,
  choice: ModelChoice,
  prompt: Prompt,
  exchange: Exchange,
  request: TextRequest,
  fellBack: boolean,
): Promise<Served> {
  const { orm, llm, now, sleep, random, timeoutMs, breaker, factory } = context;
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
      answer = await requestAnswer(factory(choice.model), prompt, exchange, signal);
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
