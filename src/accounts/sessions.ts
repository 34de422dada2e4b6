import type { Database, Orm } from '../db/database.js';
import { AccountRefusedError } from './account-refused-error.js';
import {
  accountKey,
  clearFailures,
  type createAttemptQueue,
  DEFAULT_ACCOUNT_POLICY,
  DEFAULT_ADDRESS_POLICY,
  ipKey,
  lockedFor,
  recordFailure,
} from './login-throttle-store.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import type { Revocations } from './revocations.js';
import type { Role } from './roles.js';
import {
  consumeRefreshToken,
  findRefreshTokenFamily,
  issueTokenPair,
  revokeTokenFamily,
  type TokenPair,
  type TokenSettings,
} from './tokens.js';
import { findActiveUser, findUserByEmail, normaliseEmail, registerUser, type User } from './user-store.js';

export interface SessionDependencies {
  readonly orm: Orm;
  readonly tokens: TokenSettings;
  readonly revocations: Pick<Revocations, 'announce'>;
  readonly now: () => Date;
}

/**
 * Registers a user. The first user of an installation becomes admin; after that an admin registers users
 * with the role they choose, and anyone else only when sign-up is open, as a viewer. A closed registration
 * is 403 for a signed-in caller and 401 otherwise; a taken email is EmailTakenError.
 */
export async function register(
  database: Database,
  registration: { email: string; password: string; displayName?: string | undefined; role: Role },
  caller: { readonly known: boolean; readonly isAdmin: boolean; readonly allowSignup: boolean },
): Promise<User> {
  return registerUser(database, { ...registration, role: caller.isAdmin ? registration.role : 'viewer' }, (isFirst) => {
    if (isFirst || caller.isAdmin || caller.allowSignup) return;
    throw caller.known
      ? new AccountRefusedError('forbidden', 'Only admins register users on this installation.')
      : new AccountRefusedError(
          'unauthorized',
          'Registration is closed: an admin must register new users (ALLOW_SIGNUP is off).',
        );
  });
}

/**
 * Signs in with email and password, one attempt per account at a time (`inTurn`). Repeated failures lock
 * the account, and very many the client address, for a growing while (429 `login_throttled` with
 * `retry_after`); a wrong email, password or a disabled user is 401 alike, after the same work.
 */
export async function signIn(
  dependencies: Omit<SessionDependencies, 'revocations'> & {
    readonly inTurn: ReturnType<typeof createAttemptQueue>;
  },
  credentials: { readonly email: string; readonly password: string; readonly ip: string },
): Promise<TokenPair & { user: User }> {
  const { orm, tokens, inTurn } = dependencies;
  const email = normaliseEmail(credentials.email);
  return inTurn(accountKey(email), async () => {
    const now = dependencies.now();
    const keys = [accountKey(email), ipKey(credentials.ip)];
    const wait = await lockedFor(orm, keys, now);
    if (wait > 0) {
      throw new AccountRefusedError('login_throttled', `Too many failed sign-ins; retry in ${wait} s.`, {
        retry_after: wait,
      });
    }
    const user = await findUserByEmail(orm, email);
    const valid = user
      ? await verifyPassword(user.passwordHash, credentials.password)
      : (await burnPasswordCheck(credentials.password), false);
    if (!user || !valid || user.disabledAt) {
      await recordFailure(orm, keys[0]!, DEFAULT_ACCOUNT_POLICY, now);
      await recordFailure(orm, keys[1]!, DEFAULT_ADDRESS_POLICY, now);
      throw new AccountRefusedError('unauthorized', 'Invalid email or password.');
    }
    await clearFailures(orm, keys[0]!);
    const pair = await issueTokenPair(orm, tokens, user, now);
    return { ...pair, user };
  });
}

/**
 * Exchanges a refresh token for a new pair. Each token is accepted once: presenting a used one revokes its
 * whole sign-in, whose access tokens and streams end too. Refused with 401 `invalid_refresh_token`.
 */
export async function refreshSession(dependencies: SessionDependencies, refreshToken: string): Promise<TokenPair> {
  const { orm, tokens, revocations } = dependencies;
  const now = dependencies.now();
  const outcome = await consumeRefreshToken(orm, refreshToken, now);
  if (!outcome.ok) {
    if (outcome.reason === 'reused') {
      // The sign-in was revoked: its access tokens, and the streams they opened, end too.
      await revocations.announce({ sessionIds: [outcome.familyId] });
    }
    throw new AccountRefusedError('invalid_refresh_token', `The refresh token is ${outcome.reason}.`);
  }
  const user = await findActiveUser(orm, outcome.userId);
  if (!user) throw new AccountRefusedError('invalid_refresh_token', 'The account is disabled.');
  return issueTokenPair(orm, tokens, user, now, outcome.familyId);
}

/** Signs out: revokes the refresh token's sign-in, whose access tokens and streams end in every process. */
export async function signOut(dependencies: Omit<SessionDependencies, 'tokens'>, refreshToken: string): Promise<void> {
  const { orm, revocations } = dependencies;
  const familyId = await findRefreshTokenFamily(orm, refreshToken);
  if (!familyId) return;
  await revokeTokenFamily(orm, familyId, dependencies.now());
  await revocations.announce({ sessionIds: [familyId] });
}
