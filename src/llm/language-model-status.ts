import type { LanguageModelProviderName } from '../config/config.js';
import type { CircuitState } from './circuit-breaker.js';

/** What readiness and dashboards report about the LLM layer (snake_case, ready for JSON). */
export interface LanguageModelStatus {
  /** whether LLM-only features can run (a default provider is configured) */
  readonly configured: boolean;
  readonly default_provider: LanguageModelProviderName | null;
  readonly fallback_provider: LanguageModelProviderName | null;
  /** every configured provider and its circuit in this process */
  readonly providers: readonly {
    readonly provider: LanguageModelProviderName;
    readonly base_url: string | null;
    readonly circuit: CircuitState;
    readonly consecutive_failures: number;
    /** when an open circuit lets a trial request through */
    readonly retry_at: string | null;
  }[];
  /** why it is not configured, when it is not */
  readonly problem: string | null;
}

/** The status of a language model service: `describeLanguageModelStatus(service)` for /health/ready. */
export const describeLanguageModelStatus = (service: { status(): LanguageModelStatus }): LanguageModelStatus =>
  service.status();
