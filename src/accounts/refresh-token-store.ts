import { and, eq, gte, isNull } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { refreshTokens } from '../db/schema.js';
import { hashSecret } from './secrets.js';

export async function insertRefreshToken(orm: Orm, token: typeof refreshTokens.$inferInsert): Promise<void> {
  await orm.insert(refreshTokens).values(token);
}

export type RefreshOutcome =
  | { ok: true; userId: string; familyId: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  | { ok: false; reason: 'reused'; userId: string; familyId: string };

/**
 * Consumes a refresh token. Each token is good for one rotation: the conditional update lets exactly one
 * of two concurrent refreshes with the same token through. Presenting a token that was already rotated
 * means it was copied, so the whole family (every token descended from that login) is revoked and the
 * legitimate holder has to sign in again, which is the point.
 */
export async function consumeRefreshToken(orm: Orm, secret: string, now: Date): Promise<RefreshOutcome> {
  const [token] = await orm
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashSecret(secret)));
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revokedAt) return { ok: false, reason: 'revoked' };
  if (token.expiresAt <= now) return { ok: false, reason: 'expired' };
  const rotated = await orm
    .update(refreshTokens)
    .set({ rotatedAt: now })
    .where(and(eq(refreshTokens.id, token.id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  if (rotated.length === 0) {
    await revokeTokenFamily(orm, token.familyId, now);
    return { ok: false, reason: 'reused', userId: token.userId, familyId: token.familyId };
  }
  return { ok: true, userId: token.userId, familyId: token.familyId };
}

export async function revokeTokenFamily(orm: Orm, familyId: string, now: Date): Promise<void> {
  await orm
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Revokes every sign-in of a user; answers the sessions (families) that were still open. */
export async function revokeUserTokens(orm: Orm, userId: string, now: Date): Promise<string[]> {
  const revoked = await orm
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ familyId: refreshTokens.familyId });
  return [...new Set(revoked.map((row) => row.familyId))];
}

/**
 * The sessions with a token revoked since `since`: those whose access tokens may still be unexpired. A
 * process loads them when it starts, so that a restart does not forget a sign-out.
 */
export async function sessionsRevokedSince(orm: Orm, since: Date): Promise<string[]> {
  const rows = await orm
    .selectDistinct({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(gte(refreshTokens.revokedAt, since));
  return rows.map((row) => row.familyId);
}

export async function findRefreshTokenFamily(orm: Orm, secret: string): Promise<string | undefined> {
  const [token] = await orm
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashSecret(secret)));
  return token?.familyId;
}
