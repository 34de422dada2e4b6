import { and, count, gt, isNull, or } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { apiKeys, auditLog, refreshTokens, users } from '../db/schema.js';

export interface AccountCounts {
  readonly users: number;
  /** neither revoked nor expired at `now` */
  readonly activeApiKeys: number;
  /** neither revoked, rotated nor expired at `now` */
  readonly activeRefreshTokens: number;
  readonly auditEntries: number;
}

/** How many users, usable credentials and audit entries are stored, counted by the database. */
export async function accountCounts(orm: Orm, now: Date): Promise<AccountCounts> {
  const [[userCount], [keyCount], [tokenCount], [auditCount]] = await Promise.all([
    orm.select({ total: count() }).from(users),
    orm
      .select({ total: count() })
      .from(apiKeys)
      .where(and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)))),
    orm
      .select({ total: count() })
      .from(refreshTokens)
      .where(and(isNull(refreshTokens.revokedAt), isNull(refreshTokens.rotatedAt), gt(refreshTokens.expiresAt, now))),
    orm.select({ total: count() }).from(auditLog),
  ]);
  return {
    users: userCount?.total ?? 0,
    activeApiKeys: keyCount?.total ?? 0,
    activeRefreshTokens: tokenCount?.total ?? 0,
    auditEntries: auditCount?.total ?? 0,
  };
}
