import { randomUUID } from 'node:crypto';
import { and, eq, gte, isNull } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Orm } from '../db/database.js';
import { refreshTokens } from '../db/schema.js';
import { generateSecret, hashSecret } from './secrets.js';
import type { User } from './users.js';

const ISSUER = 'lvlup';
const REFRESH_PREFIX = 'lvr_';

export interface TokenSettings {
  readonly signingKey: Uint8Array;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
}

/**
 * An access token names its sign-in (the refresh token family) in the `sid` claim, so that signing out, or
 * a detected refresh-token reuse, ends the access tokens of that sign-in at once (see revocations.ts).
 */
export function signAccessToken(
  settings: TokenSettings,
  user: Pick<User, 'id' | 'role'>,
  sessionId: string,
  now: Date,
) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: user.role, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + settings.accessTokenTtlSeconds)
    .sign(settings.signingKey);
}

/**
 * Answers the user and sign-in of a valid, unexpired access token, or undefined. A token without a
 * session (signed before sessions were named) is refused: it could not be ended by signing out.
 */
export async function verifyAccessToken(
  settings: TokenSettings,
  token: string,
  now: Date,
): Promise<{ userId: string; sessionId: string } | undefined> {
  try {
    const { payload } = await jwtVerify(token, settings.signingKey, {
      issuer: ISSUER,
      algorithms: ['HS256'],
      currentDate: now,
    });
    const sessionId = payload.sid;
    if (!payload.sub || typeof sessionId !== 'string' || sessionId === '') return undefined;
    return { userId: payload.sub, sessionId };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return undefined;
    throw error;
  }
}

async function insertRefreshToken(orm: Orm, settings: TokenSettings, userId: string, familyId: string, now: Date) {
  const secret = generateSecret(REFRESH_PREFIX);
  await orm.insert(refreshTokens).values({
    userId,
    familyId,
    tokenHash: hashSecret(secret),
    expiresAt: new Date(now.getTime() + settings.refreshTokenTtlSeconds * 1000),
  });
  return secret;
}

export async function issueTokenPair(
  orm: Orm,
  settings: TokenSettings,
  user: Pick<User, 'id' | 'role'>,
  now: Date,
  familyId: string = randomUUID(),
): Promise<TokenPair> {
  return {
    access_token: await signAccessToken(settings, user, familyId, now),
    token_type: 'Bearer',
    expires_in: settings.accessTokenTtlSeconds,
    refresh_token: await insertRefreshToken(orm, settings, user.id, familyId, now),
    refresh_expires_in: settings.refreshTokenTtlSeconds,
  };
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
