import type { z } from 'zod';
import type { LanguageModelProviderName } from '../config/config.js';

/** One message of a conversation (the system prompt is separate). */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A call for text. Give `prompt`, `messages`, or both (the prompt then follows the messages). */
export interface TextRequest {
  /** whose call it is: picks the model (LLM_MODEL_<AGENT>) and the budgets, and is recorded */
  readonly agentType: string;
  /** the task it is made for, recorded with the usage */
  readonly taskId?: string | undefined;
  /** what it is for (e.g. `explain-finding`), recorded with the usage */
  readonly purpose: string;
  readonly system?: string | undefined;
  readonly prompt?: string | undefined;
  readonly messages?: readonly ChatMessage[] | undefined;
  readonly temperature?: number | undefined;
  readonly maxOutputTokens?: number | undefined;
  /** aborts the call (a task's signal); an aborted call is not retried */
  readonly signal?: AbortSignal | undefined;
  /** false: neither read nor write the response cache for this call (default true) */
  readonly cache?: boolean | undefined;
}

export interface StreamTextRequest extends TextRequest {
  /** each piece of text as it arrives; an answer from the cache arrives as one piece */
  readonly onTextDelta: (delta: string) => void;
}

export interface ObjectRequest<Schema extends z.ZodType> extends TextRequest {
  /** what the answer must be; the provider is asked for JSON of this shape and the answer is validated */
  readonly schema: Schema;
  readonly schemaName?: string | undefined;
  readonly schemaDescription?: string | undefined;
}

/** What every answer says about how it was obtained. */
export interface CallOutcome {
  readonly provider: LanguageModelProviderName;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** false when the model has no known price (the cost then reads 0) */
  readonly costEstimated: boolean;
  /** served from the response cache: nothing was sent, no tokens were spent */
  readonly cached: boolean;
  /** whether the fallback provider answered */
  readonly fellBack: boolean;
  readonly finishReason: string;
}

export interface TextResult extends CallOutcome {
  readonly text: string;
}

export interface ObjectResult<Value> extends CallOutcome {
  readonly object: Value;
  /** the JSON as the model wrote it */
  readonly text: string;
  /** the first answer was invalid and the repair attempt fixed it (tokens are those of both calls) */
  readonly repaired: boolean;
}
