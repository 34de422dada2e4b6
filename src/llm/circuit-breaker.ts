import type { LanguageModelProviderName } from '../config/config.js';
import { CircuitOpenError } from './language-model-errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerSnapshot {
  readonly provider: LanguageModelProviderName;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** when it opened (state open or half-open) */
  readonly openedAt: Date | undefined;
  /** when an open circuit lets a trial request through */
  readonly retryAt: Date | undefined;
}

/**
 * One provider's circuit. Closed: requests go, and `failureThreshold` failures in a row open it. Open: no
 * request goes until `openMs` have passed. Half-open: one trial request goes; its success closes the circuit,
 * its failure opens it again for another `openMs`. In-process state: each process keeps its own.
 *
 * Hand-written rather than cockatiel's `circuitBreaker(…, { breaker: new ConsecutiveBreaker(n) })`, which
 * cannot keep what test/llm-resilience.test.ts asserts: it reads `Date.now()` itself (no clock to inject, so
 * "half-opens after LLM_CIRCUIT_OPEN_SECONDS" would need real waiting or faked timers); it does not expose
 * when it reopens nor its failure count (`retry_at`, `consecutive_failures` in the status); while half-open
 * it makes other callers wait for the trial instead of refusing them, so the fallback provider could not
 * answer meanwhile; and it wraps a whole call, where ours counts each attempt of the retry loop, closes on a
 * refusal of the request itself (a 4xx) and stays half-open when the caller aborts the trial (`release`).
 */
export interface CircuitBreaker {
  readonly provider: LanguageModelProviderName;
  /** permission for one request; throws CircuitOpenError when none may go now */
  acquire(): void;
  /** the provider answered (even if the answer was a refusal of the request itself) */
  recordSuccess(): void;
  /** the provider failed: a 5xx, a 429, a timeout, a network error or a garbled answer */
  recordFailure(): void;
  /** the request ended without saying anything about the provider (the caller aborted it) */
  release(): void;
  snapshot(): CircuitBreakerSnapshot;
}

export function createCircuitBreaker(settings: {
  readonly provider: LanguageModelProviderName;
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly now: () => Date;
}): CircuitBreaker {
  const { provider, failureThreshold, openMs, now } = settings;
  let state: CircuitState = 'closed';
  let consecutiveFailures = 0;
  let openedAt: Date | undefined;
  let retryAt: Date | undefined;
  let trialInFlight = false;

  const open = () => {
    state = 'open';
    openedAt = now();
    retryAt = new Date(openedAt.getTime() + openMs);
    trialInFlight = false;
  };

  return {
    provider,
    acquire() {
      if (state === 'closed') return;
      if (state === 'open' && retryAt && now().getTime() >= retryAt.getTime()) state = 'half-open';
      if (state === 'half-open' && !trialInFlight) {
        trialInFlight = true;
        return;
      }
      throw new CircuitOpenError(provider, retryAt ?? now());
    },
    recordSuccess() {
      state = 'closed';
      consecutiveFailures = 0;
      openedAt = undefined;
      retryAt = undefined;
      trialInFlight = false;
    },
    recordFailure() {
      consecutiveFailures += 1;
      if (state === 'half-open' || consecutiveFailures >= failureThreshold) open();
    },
    release() {
      trialInFlight = false;
    },
    snapshot: () => ({ provider, state, consecutiveFailures, openedAt, retryAt }),
  };
}
