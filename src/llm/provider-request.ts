import {
  generateText as sdkGenerateText,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
  NoObjectGeneratedError,
  Output,
  streamText as sdkStreamText,
} from 'ai';
import { tokens, validateJson, type Answer, type Exchange, type Prompt } from './model-exchange.js';

/**
 * One request to one provider through the AI SDK (its own retries off), bounded by `signal`. An object
 * answer that does not match the schema is returned with `issues`, for the caller to repair; a stream
 * delivers each piece of text as it arrives and marks the exchange as delivered.
 */
export async function requestAnswer(
  model: LanguageModel,
  prompt: Prompt,
  exchange: Exchange,
  signal: AbortSignal,
): Promise<Answer> {
  const common = {
    model,
    system: prompt.system,
    messages: prompt.messages.map((message): ModelMessage => ({ role: message.role, content: message.content })),
    temperature: prompt.temperature,
    maxOutputTokens: prompt.maxOutputTokens,
    maxRetries: 0,
    abortSignal: signal,
  };
  if (exchange.kind === 'text') {
    const result = await sdkGenerateText(common);
    return { text: result.text, ...tokens(result.totalUsage), finishReason: result.finishReason };
  }
  if (exchange.kind === 'object') {
    try {
      const result = await sdkGenerateText({
        ...common,
        // OpenAI's strict structured outputs (the SDK's default) refuse a schema with an optional property
        // (every key must be required) before answering; the answer is validated against the zod schema and
        // repaired here anyway, so the schema is sent as guidance, not as a strict grammar.
        providerOptions: { openai: { strictJsonSchema: false } },
        output: Output.object({
          schema: exchange.schema,
          name: exchange.schemaName,
          description: exchange.schemaDescription,
        }),
      });
      return {
        text: result.text,
        object: result.output,
        ...tokens(result.totalUsage),
        finishReason: result.finishReason,
      };
    } catch (error) {
      if (!NoObjectGeneratedError.isInstance(error)) throw error;
      const text = error.text ?? '';
      const checked = validateJson(exchange.schema, text);
      return {
        text,
        issues: checked.ok ? 'the answer did not match the schema' : checked.issues,
        ...tokens(error.usage),
        finishReason: error.finishReason ?? 'unknown',
      };
    }
  }
  let text = '';
  let usage: LanguageModelUsage | undefined;
  let finishReason = 'unknown';
  const result = sdkStreamText({ ...common, onError: () => {} });
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') {
      text += part.text;
      exchange.delivered = true;
      exchange.onTextDelta(part.text);
    } else if (part.type === 'error') {
      throw part.error;
    } else if (part.type === 'abort') {
      throw signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
    } else if (part.type === 'finish') {
      usage = part.totalUsage;
      finishReason = part.finishReason;
    }
  }
  return { text, ...tokens(usage), finishReason };
}
