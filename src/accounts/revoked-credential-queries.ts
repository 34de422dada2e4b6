import { and, gt, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { apiKeys, users } from '../db/schema.js';

/**
 * Of these API keys and users, the ones that no longer hold: keys revoked, expired or deleted, users
 * disabled. What a server process re-reads for its open streams (revocations.ts `resync`).
 */
export async function revokedAmong(
  orm: Orm,
  credentials: { readonly apiKeyIds: readonly string[]; readonly userIds: readonly string[] },
  now: Date,
): Promise<{ apiKeyIds: string[]; userIds: string[] }> {
  const apiKeyIds = [...new Set(credentials.apiKeyIds)];
  const userIds = [...new Set(credentials.userIds)];
  const holding = new Set(
    apiKeyIds.length === 0
      ? []
      : (
          await orm
            .select({ id: apiKeys.id })
            .from(apiKeys)
            .where(
              and(
                inArray(apiKeys.id, apiKeyIds),
                isNull(apiKeys.revokedAt),
                or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
              ),
            )
        ).map((row) => row.id),
  );
  const disabled =
    userIds.length === 0
      ? []
      : await orm
          .select({ id: users.id })
          .from(users)
          .where(and(inArray(users.id, userIds), isNotNull(users.disabledAt)));
  return {
    apiKeyIds: apiKeyIds.filter((id) => !holding.has(id)),
    userIds: disabled.map((row) => row.id),
  };
}
