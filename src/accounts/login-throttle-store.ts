import { eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { loginFailures } from '../db/schema.js';

export interface ThrottlePolicy {
  /** failures inside the window before the key is locked: the last of them locks it */
  readonly freeFailures: number;
  /** the first lock; each further failure in the window doubles it, up to `maxLockSeconds` */
  readonly baseLockSeconds: number;
  readonly maxLockSeconds: number;
  /** failures count from the first one for this long, then start again from zero */
  readonly windowSeconds: number;
}

/**
 * Per account (docs/auth.md): the 5th failure within an hour locks the account for 30 s, and each further
 * failure (possible once the lock has passed) for twice as long as the one before, up to 15 minutes.
 */
export const DEFAULT_ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 5,
  baseLockSeconds: 30,
  maxLockSeconds: 900,
  windowSeconds: 3600,
};

/**
 * Per client address, only against spraying many accounts: 100 failures within 15 minutes lock the address
 * for 15 minutes. It is high on purpose: behind a proxy without TRUST_PROXY every client has the proxy's
 * address, and a low threshold would let anyone lock everyone out.
 */
export const DEFAULT_ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 100,
  baseLockSeconds: 900,
  maxLockSeconds: 900,
  windowSeconds: 900,
};

export const accountKey = (email: string) => `account:${email}`;
export const ipKey = (ip: string) => `ip:${ip}`;

/** How long the `failures`-th failure in a window locks a key (0: not at all). */
export function lockSecondsAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures < policy.freeFailures) return 0;
  const doublings = Math.min(failures - policy.freeFailures, 30);
  return Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** doublings);
}

/** Seconds until the first of these keys is unlocked, or 0 when none is locked. */
export async function lockedFor(orm: Orm, keys: string[], now: Date): Promise<number> {
  const rows = await orm.select().from(loginFailures).where(inArray(loginFailures.key, keys));
  const until = Math.max(0, ...rows.map((row) => row.lockedUntil?.getTime() ?? 0));
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

/**
 * Counts a failure for a key in a window stored in the database (so every process sees the same counts)
 * and locks the key as the policy says. The count is one upsert, so concurrent failures all count; of two
 * concurrent locks the longer one stays.
 */
export async function recordFailure(orm: Orm, key: string, policy: ThrottlePolicy, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const windowExpired = sql`${loginFailures.windowStartedAt} < ${nowIso}::timestamptz - make_interval(secs => ${policy.windowSeconds})`;
  const [row] = await orm
    .insert(loginFailures)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: loginFailures.key,
      set: {
        failures: sql`case when ${windowExpired} then 1 else ${loginFailures.failures} + 1 end`,
        windowStartedAt: sql`case when ${windowExpired} then ${nowIso}::timestamptz else ${loginFailures.windowStartedAt} end`,
      },
    })
    .returning({ failures: loginFailures.failures });
  const lockSeconds = lockSecondsAfter(policy, row?.failures ?? 1);
  if (lockSeconds === 0) return;
  const until = new Date(now.getTime() + lockSeconds * 1000).toISOString();
  await orm
    .update(loginFailures)
    .set({ lockedUntil: sql`greatest(${loginFailures.lockedUntil}, ${until}::timestamptz)` })
    .where(eq(loginFailures.key, key));
}

export async function clearFailures(orm: Orm, key: string): Promise<void> {
  await orm.delete(loginFailures).where(eq(loginFailures.key, key));
}

/**
 * Runs sign-in attempts for one key one after another. The throttle is check → verify the password →
 * record; two attempts that both pass the check before either records its failure would both get a guess,
 * so without this, 40 concurrent wrong passwords were all verified and the lock came only after them. Within
 * one process the attempts for an account now queue (waiting costs no database connection); across several
 * processes at most one attempt per process can slip past a lock that is about to be set.
 */
export function createAttemptQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return async function inTurn<T>(key: string, attempt: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(attempt, attempt);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
