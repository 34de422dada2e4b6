import { and, eq, gt, lt } from 'drizzle-orm';
import type { LanguageModelProviderName } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { llmResponseCache } from '../db/schema.js';
import { sha256 } from '../analysis/changes.js';

/** What is kept of an answer: enough to give the same result again without asking the provider. */
export interface CachedAnswer {
  readonly text: string;
  /** the validated object, for structured output */
  readonly object?: unknown;
  readonly finishReason: string;
}

/**
 * The cache key: a sha256 of everything that decides the answer (provider, model, system prompt, messages,
 * sampling parameters, the output schema). Objects are written with sorted keys, so equal requests hash alike.
 */
export function responseCacheKey(parts: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
          .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
      );
    }
    return value;
  };
  return sha256(JSON.stringify(canonical(parts)));
}

/** Exact response cache in llm_response_cache: an entry serves until its TTL ends. */
export interface ResponseCache {
  find(key: string): Promise<CachedAnswer | undefined>;
  store(
    key: string,
    entry: { provider: LanguageModelProviderName; model: string; answer: CachedAnswer; ttlSeconds: number },
  ): Promise<void>;
}

export function createResponseCache(orm: Orm, now: () => Date): ResponseCache {
  return {
    async find(key) {
      const [row] = await orm
        .select({ response: llmResponseCache.response })
        .from(llmResponseCache)
        .where(and(eq(llmResponseCache.key, key), gt(llmResponseCache.expiresAt, now())));
      return row ? (row.response as unknown as CachedAnswer) : undefined;
    },
    async store(key, { provider, model, answer, ttlSeconds }) {
      const at = now();
      const expiresAt = new Date(at.getTime() + ttlSeconds * 1000);
      const response = answer as unknown as Record<string, unknown>;
      await orm
        .insert(llmResponseCache)
        .values({ key, provider, model, response, expiresAt, createdAt: at })
        .onConflictDoUpdate({ target: llmResponseCache.key, set: { response, expiresAt, createdAt: at } });
      // Expired entries go as new ones arrive (the expiry index keeps this cheap).
      await orm.delete(llmResponseCache).where(lt(llmResponseCache.expiresAt, at));
    },
  };
}
