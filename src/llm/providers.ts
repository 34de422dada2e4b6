import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { ProviderEndpoint } from './provider-settings.js';

export type Fetch = typeof globalThis.fetch;

/** Makes AI SDK model handles; one factory per provider, made once. */
export type ModelFactory = (model: string) => LanguageModel;

/**
 * The AI SDK provider for an endpoint. OpenAI goes through its chat completions API (which every
 * OpenAI-compatible server also speaks); Ollama and other compatible servers through the compatible provider,
 * asked to report token usage in streams too.
 */
export function createModelFactory(endpoint: ProviderEndpoint, fetch: Fetch | undefined): ModelFactory {
  const common = { ...(endpoint.baseUrl ? { baseURL: endpoint.baseUrl } : {}), ...(fetch ? { fetch } : {}) };
  switch (endpoint.provider) {
    case 'openai': {
      const provider = createOpenAI({ ...common, apiKey: endpoint.apiKey });
      return (model) => provider.chat(model);
    }
    case 'anthropic': {
      const provider = createAnthropic({ ...common, apiKey: endpoint.apiKey });
      return (model) => provider.messages(model);
    }
    case 'openai-compatible':
    case 'ollama': {
      const provider = createOpenAICompatible({
        name: endpoint.provider,
        baseURL: endpoint.baseUrl!,
        ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
        ...(fetch ? { fetch } : {}),
        includeUsage: true,
        supportsStructuredOutputs: endpoint.provider === 'ollama',
      });
      return (model) => provider.chatModel(model);
    }
  }
}
