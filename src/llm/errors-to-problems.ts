import { HttpProblem } from '../server/problem.js';
import {
  BudgetExhaustedError,
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from './language-model-errors.js';

/**
 * Maps the LLM layer's errors to problem responses; anything else passes through unchanged. The central
 * error handler applies it, so a route that calls a language model needs no mapping of its own.
 */
export function asLanguageModelProblem(error: unknown): unknown {
  if (error instanceof LlmNotConfiguredError) {
    return new HttpProblem(503, error.code, 'Service Unavailable', error.message);
  }
  if (error instanceof BudgetExhaustedError) {
    const { budget } = error;
    return new HttpProblem(429, error.code, 'Too Many Requests', error.message, {
      budget: {
        scope: budget.scope,
        period: budget.period,
        ...(budget.agentType !== undefined ? { agent_type: budget.agentType } : {}),
        limit: budget.limit,
        used: budget.used,
        resets_at: budget.resetsAt.toISOString(),
      },
    });
  }
  if (error instanceof LlmInvalidOutputError) {
    return new HttpProblem(502, error.code, 'Bad Gateway', error.message);
  }
  if (error instanceof LlmProviderError) {
    const { details } = error;
    return new HttpProblem(
      details.reason === 'llm_timeout' ? 504 : 502,
      error.code,
      details.reason === 'llm_timeout' ? 'Gateway Timeout' : 'Bad Gateway',
      error.message,
      {
        provider: details.provider,
        model: details.model,
        reason: details.reason,
        ...(details.status !== undefined ? { provider_status: details.status } : {}),
        ...(details.retryAfterSeconds !== undefined ? { retry_after_seconds: details.retryAfterSeconds } : {}),
      },
    );
  }
  if (error instanceof CircuitOpenError) {
    return new HttpProblem(503, error.code, 'Service Unavailable', error.message, {
      provider: error.provider,
      retry_at: error.retryAt.toISOString(),
    });
  }
  return error;
}
