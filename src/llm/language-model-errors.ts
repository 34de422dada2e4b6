import type { LanguageModelProviderName } from '../config/config.js';

/** No provider is configured, so an LLM-only feature cannot run (everything deterministic still does). */
export class LlmNotConfiguredError extends Error {
  readonly code = 'llm_not_configured';
  constructor(
    message = 'No language model provider is configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY, OLLAMA_BASE_URL or LLM_OPENAI_COMPATIBLE_BASE_URL.',
  ) {
    super(message);
    this.name = 'LlmNotConfiguredError';
  }
}

export type BudgetScope = 'global' | 'agent';
export type BudgetPeriod = 'day' | 'month';

/** A token budget is used up: the call was refused before anything was sent. */
export class BudgetExhaustedError extends Error {
  readonly code = 'budget_exhausted';
  constructor(
    readonly budget: {
      readonly scope: BudgetScope;
      readonly period: BudgetPeriod;
      /** the agent whose budget it is (scope `agent`) */
      readonly agentType: string | undefined;
      readonly limit: number;
      readonly used: number;
      /** when the period ends and the budget is available again */
      readonly resetsAt: Date;
    },
  ) {
    super(
      `The ${budget.period === 'day' ? 'daily' : 'monthly'} token budget ` +
        `${budget.scope === 'agent' ? `of agent ${budget.agentType}` : 'of all agents'} is used up ` +
        `(${budget.used} of ${budget.limit} tokens); it resets at ${budget.resetsAt.toISOString()}.`,
    );
    this.name = 'BudgetExhaustedError';
  }
}

/** The model's answer did not match the schema, also after the one repair attempt. */
export class LlmInvalidOutputError extends Error {
  readonly code = 'llm_invalid_output';
  constructor(
    message: string,
    /** what the validation said about the last answer */
    readonly issues: string,
    /** the last answer as received */
    readonly text: string | undefined,
  ) {
    super(message);
    this.name = 'LlmInvalidOutputError';
  }
}

/** Why a provider call failed; stored as the usage row's `error_code`. */
export type LlmProviderFailure =
  | 'llm_rate_limited'
  | 'llm_server_error'
  | 'llm_timeout'
  | 'llm_network_error'
  | 'llm_invalid_response'
  | 'llm_request_rejected';

/** A provider call failed (after the retries it was worth). */
export class LlmProviderError extends Error {
  readonly code = 'llm_provider_error';
  constructor(
    message: string,
    readonly details: {
      readonly provider: LanguageModelProviderName;
      readonly model: string;
      readonly reason: LlmProviderFailure;
      /** the HTTP status the provider answered, if it answered */
      readonly status: number | undefined;
      /** whether trying again later may succeed */
      readonly retryable: boolean;
      /** seconds the provider asked us to wait (Retry-After), if it did */
      readonly retryAfterSeconds: number | undefined;
      /** requests sent, retries included */
      readonly attempts: number;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmProviderError';
  }
}

/** The provider's circuit is open after repeated failures: no request was sent. */
export class CircuitOpenError extends Error {
  readonly code = 'circuit_open';
  constructor(
    readonly provider: LanguageModelProviderName,
    /** when the circuit lets a trial request through */
    readonly retryAt: Date,
  ) {
    super(
      `The circuit for provider ${provider} is open after repeated failures; no request is sent to it until ${retryAt.toISOString()}.`,
    );
    this.name = 'CircuitOpenError';
  }
}

export type LanguageModelError =
  LlmNotConfiguredError | BudgetExhaustedError | LlmInvalidOutputError | LlmProviderError | CircuitOpenError;
