export interface BackoffSettings {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 2000, capMs: 10 * 60 * 1000 };

/**
 * The wait before attempt `attempt + 1`: exponential (base · 2^(attempt−1), capped) with "equal jitter" —
 * half fixed, half random — so retries of tasks that failed together do not all come back together.
 */
export function retryDelayMs(attempt: number, settings: BackoffSettings = DEFAULT_BACKOFF, random = Math.random) {
  const exponential = Math.min(settings.capMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
