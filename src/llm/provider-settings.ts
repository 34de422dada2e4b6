import {
  agentSettingsKey,
  type Config,
  LANGUAGE_MODEL_PROVIDERS,
  type LanguageModelProviderName,
} from '../config/config.js';
import { LlmNotConfiguredError } from './language-model-errors.js';

/** Where one provider is reached. */
export interface ProviderEndpoint {
  readonly provider: LanguageModelProviderName;
  /** the API's base URL; the SDK's default when undefined (OpenAI, Anthropic) */
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
}

/** A provider and one of its models. */
export interface ModelChoice {
  readonly provider: LanguageModelProviderName;
  readonly model: string;
}

/** The model a provider uses when neither LLM_MODEL nor the agent's own variable names one. */
export const DEFAULT_MODELS: Readonly<Record<LanguageModelProviderName, string | undefined>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  ollama: 'llama3.1',
  // A server of unknown models: LLM_MODEL must say which.
  'openai-compatible': undefined,
};

/** Anthropic's and Ollama's documented base URLs omit the `/v1` their HTTP APIs live under. */
function withVersionPath(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** The providers the configuration enables, in LANGUAGE_MODEL_PROVIDERS order. */
export function configuredProviders(llm: Config['llm']): ProviderEndpoint[] {
  const endpoints: Record<LanguageModelProviderName, ProviderEndpoint | undefined> = {
    openai: llm.openaiApiKey ? { provider: 'openai', baseUrl: llm.openaiBaseUrl, apiKey: llm.openaiApiKey } : undefined,
    anthropic: llm.anthropicApiKey
      ? {
          provider: 'anthropic',
          baseUrl: llm.anthropicBaseUrl ? withVersionPath(llm.anthropicBaseUrl) : undefined,
          apiKey: llm.anthropicApiKey,
        }
      : undefined,
    'openai-compatible': llm.openaiCompatibleBaseUrl
      ? {
          provider: 'openai-compatible',
          baseUrl: llm.openaiCompatibleBaseUrl.replace(/\/+$/, ''),
          apiKey: llm.openaiCompatibleApiKey,
        }
      : undefined,
    ollama: llm.ollamaBaseUrl
      ? { provider: 'ollama', baseUrl: withVersionPath(llm.ollamaBaseUrl), apiKey: undefined }
      : undefined,
  };
  return LANGUAGE_MODEL_PROVIDERS.flatMap((provider) => endpoints[provider] ?? []);
}

/**
 * Reads a model setting: `provider:model` names both (`anthropic:claude-sonnet-4-5`); anything else is a
 * model of the default provider (Ollama's `llama3.1:8b` stays whole, since `llama3.1` is no provider).
 */
export function parseModelSetting(setting: string): { provider: LanguageModelProviderName | undefined; model: string } {
  const colon = setting.indexOf(':');
  const prefix = colon > 0 ? setting.slice(0, colon) : '';
  if ((LANGUAGE_MODEL_PROVIDERS as readonly string[]).includes(prefix) && colon < setting.length - 1) {
    return { provider: prefix as LanguageModelProviderName, model: setting.slice(colon + 1) };
  }
  return { provider: undefined, model: setting };
}

/** The provider calls go to by default: LLM_PROVIDER, else the first configured one. */
export function defaultProvider(llm: Config['llm']): LanguageModelProviderName | undefined {
  return llm.provider ?? configuredProviders(llm)[0]?.provider;
}

function choose(
  llm: Config['llm'],
  provider: LanguageModelProviderName,
  model: string | undefined,
  variable: string,
): ModelChoice {
  if (!configuredProviders(llm).some((endpoint) => endpoint.provider === provider)) {
    throw new LlmNotConfiguredError(
      `${variable} names the provider ${provider}, which is not configured (see docs/llm.md for its variables).`,
    );
  }
  const chosen = model ?? DEFAULT_MODELS[provider];
  if (!chosen) {
    throw new LlmNotConfiguredError(`The provider ${provider} has no default model: set ${variable} to name one.`);
  }
  return { provider, model: chosen };
}

/**
 * Which provider and model an agent's calls go to, and where they go when that provider fails: the agent's
 * LLM_MODEL_<AGENT>, else LLM_MODEL, else the provider's default; LLM_FALLBACK_PROVIDER (with
 * LLM_FALLBACK_MODEL) when it is configured and differs from the primary. Throws LlmNotConfiguredError.
 */
export function chooseModels(
  llm: Config['llm'],
  agentType: string,
): { primary: ModelChoice; fallback: ModelChoice | undefined } {
  const provider = defaultProvider(llm);
  if (!provider) throw new LlmNotConfiguredError();
  const agentVariable = `LLM_MODEL_${agentSettingsKey(agentType)}`;
  const agentSetting = llm.agentModels[agentSettingsKey(agentType)];
  const setting = agentSetting ?? llm.model;
  const parsed = setting === undefined ? undefined : parseModelSetting(setting);
  const primary = choose(
    llm,
    parsed?.provider ?? provider,
    parsed?.model,
    agentSetting !== undefined ? agentVariable : parsed ? 'LLM_MODEL' : 'LLM_PROVIDER',
  );
  let fallback: ModelChoice | undefined;
  if (llm.fallbackProvider) {
    const parsedFallback = llm.fallbackModel === undefined ? undefined : parseModelSetting(llm.fallbackModel);
    fallback = choose(
      llm,
      parsedFallback?.provider ?? llm.fallbackProvider,
      parsedFallback?.model,
      parsedFallback ? 'LLM_FALLBACK_MODEL' : 'LLM_FALLBACK_PROVIDER',
    );
    if (fallback.provider === primary.provider && fallback.model === primary.model) fallback = undefined;
  }
  return { primary, fallback };
}
