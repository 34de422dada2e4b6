import { APICallError } from 'ai';
import { retryDelayMs } from '../tasks/backoff.js';
import type { LlmProviderFailure } from './language-model-errors.js';

/*
 * Retries are the loop in language-model-service.ts with these functions, not cockatiel's `retry()` policy:
 * cockatiel 3 waits with its own `setTimeout` (no injectable sleep, so the tests' recorded, instant waits would
 * become real ones) and does not end the wait when the caller's signal aborts; it has no way to give up on a
 * Retry-After longer than LONGEST_RETRY_AFTER_MS or when the provider's circuit opens except by bending its
 * error filter; and its ExponentialBackoff's jitter generators call `Math.random` (a custom generator would be
 * ours again), where ours shares the task queue's formula (tasks/backoff.ts) and takes a test-given `random`.
 */

/** Backoff between attempts of one call: exponential from half a second, with jitter. */
export const LANGUAGE_MODEL_BACKOFF = { baseMs: 500, capMs: 30_000 } as const;

/** A provider asking for a longer wait than this is not waited for: the call fails at once. */
export const LONGEST_RETRY_AFTER_MS = 60_000;

/**
 * How long the provider asked us to wait: `retry-after-ms` (OpenAI), else `Retry-After` as seconds or as an
 * HTTP date (relative to `now`). Undefined when it did not ask, or the value cannot be read.
 */
export function retryAfterMs(headers: Record<string, string> | undefined, now: Date): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const milliseconds = lower['retry-after-ms'];
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds.trim())) {
    return Math.ceil(Number(milliseconds));
  }
  const value = lower['retry-after']?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/** What went wrong with one request, and what to do about it. */
export interface AttemptFailure {
  readonly reason: LlmProviderFailure;
  readonly status: number | undefined;
  /** another attempt may succeed */
  readonly retryable: boolean;
  /** the provider is unwell (counts against its circuit), as opposed to refusing this request */
  readonly countsAgainstProvider: boolean;
  readonly retryAfterMs: number | undefined;
  readonly message: string;
}

const isTimeout = (error: unknown) =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/** Classifies an error thrown by one AI SDK request (made with maxRetries: 0). */
export function classifyFailure(error: unknown, now: Date): AttemptFailure {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const after = retryAfterMs(error.responseHeaders, now);
    // The SDK reports a stream whose first event is not JSON as such an error (Anthropic: with status 500).
    if (/^(JSON parsing failed|Type validation failed)/.test(error.message)) {
      return {
        reason: 'llm_invalid_response',
        status: undefined,
        retryable: false,
        countsAgainstProvider: true,
        retryAfterMs: undefined,
        message: `The provider's answer could not be read: ${error.message.split('\n')[0]}`,
      };
    }
    if (status === 429) {
      return {
        reason: 'llm_rate_limited',
        status,
        retryable: true,
        countsAgainstProvider: true,
        retryAfterMs: after,
        message: error.message,
      };
    }
    if (status !== undefined && (status >= 500 || status === 408)) {
      return {
        reason: 'llm_server_error',
        status,
        retryable: true,
        countsAgainstProvider: true,
        retryAfterMs: after,
        message: error.message,
      };
    }
    if (status !== undefined && status >= 200 && status < 300) {
      // A 200 whose body is not what the API documents (malformed JSON, a missing field).
      return {
        reason: 'llm_invalid_response',
        status,
        retryable: false,
        countsAgainstProvider: true,
        retryAfterMs: undefined,
        message: `${error.message} from the provider`,
      };
    }
    if (status === undefined) {
      return {
        reason: 'llm_network_error',
        status,
        retryable: true,
        countsAgainstProvider: true,
        retryAfterMs: undefined,
        message: error.message,
      };
    }
    return {
      reason: 'llm_request_rejected',
      status,
      retryable: false,
      countsAgainstProvider: false,
      retryAfterMs: undefined,
      message: error.message,
    };
  }
  if (isTimeout(error)) {
    return {
      reason: 'llm_timeout',
      status: undefined,
      retryable: true,
      countsAgainstProvider: true,
      retryAfterMs: undefined,
      message: 'The provider did not answer in time',
    };
  }
  const name = error instanceof Error ? error.name : '';
  if (/JSONParseError|TypeValidationError|InvalidResponseDataError|EmptyResponseBodyError/.test(name)) {
    return {
      reason: 'llm_invalid_response',
      status: undefined,
      retryable: false,
      countsAgainstProvider: true,
      retryAfterMs: undefined,
      message: `The provider's answer could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // fetch's own failures (connection refused, reset, DNS) are TypeErrors.
  return {
    reason: 'llm_network_error',
    status: undefined,
    retryable: true,
    countsAgainstProvider: true,
    retryAfterMs: undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** The wait before attempt `attempt + 1` (attempts count from 1): Retry-After when given, else backoff. */
export function delayBeforeRetryMs(failure: AttemptFailure, attempt: number, random: () => number): number {
  return failure.retryAfterMs ?? retryDelayMs(attempt, LANGUAGE_MODEL_BACKOFF, random);
}
