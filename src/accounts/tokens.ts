import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Orm } from '../db/database.js';
import { insertRefreshToken } from './refresh-token-store.js';
import { generateSecret, hashSecret } from './secrets.js';
import type { User } from './user-store.js';

const ISSUER = 'lvlup';
// Refresh tokens are kept by refresh-token-store.ts; src/server/ still imports these from here.
export {
  consumeRefreshToken,
  findRefreshTokenFamily,
  type RefreshOutcome,
  revokeTokenFamily,
  revokeUserTokens,
} from './refresh-token-store.js';

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

async function newRefreshToken(orm: Orm, settings: TokenSettings, userId: string, familyId: string, now: Date) {
  const secret = generateSecret(REFRESH_PREFIX);
  await insertRefreshToken(orm, {
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
    refresh_token: await newRefreshToken(orm, settings, user.id, familyId, now),
    refresh_expires_in: settings.refreshTokenTtlSeconds,
  };
}
