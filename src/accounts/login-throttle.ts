import { eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { loginFailures } from '../db/schema.js';

export interface ThrottlePolicy {
  /** failures allowed per key inside the window before it is locked */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;
}

export const DEFAULT_ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowSeconds: 900, lockSeconds: 900 };
export const DEFAULT_IP_POLICY: ThrottlePolicy = { maxFailures: 20, windowSeconds: 900, lockSeconds: 900 };

export const accountKey = (email: string) => `account:${email}`;
export const ipKey = (ip: string) => `ip:${ip}`;

/** Seconds until the first of these keys is unlocked, or 0 when none is locked. */
export async function lockedFor(orm: Orm, keys: string[], now: Date): Promise<number> {
  const rows = await orm.select().from(loginFailures).where(inArray(loginFailures.key, keys));
  const until = Math.max(0, ...rows.map((row) => row.lockedUntil?.getTime() ?? 0));
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

/**
 * Counts a failure for a key in a fixed window stored in the database (so every process sees the same
 * counts); reaching the maximum locks the key. One upsert statement, so concurrent failures all count.
 */
export async function recordFailure(orm: Orm, key: string, policy: ThrottlePolicy, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const windowExpired = sql`${loginFailures.windowStartedAt} < ${nowIso}::timestamptz - make_interval(secs => ${policy.windowSeconds})`;
  await orm
    .insert(loginFailures)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: loginFailures.key,
      set: {
        failures: sql`case when ${windowExpired} then 1 else ${loginFailures.failures} + 1 end`,
        windowStartedAt: sql`case when ${windowExpired} then ${nowIso}::timestamptz else ${loginFailures.windowStartedAt} end`,
      },
    });
  await orm
    .update(loginFailures)
    .set({ lockedUntil: new Date(now.getTime() + policy.lockSeconds * 1000), failures: 0, windowStartedAt: now })
    .where(sql`${loginFailures.key} = ${key} and ${loginFailures.failures} >= ${policy.maxFailures}`);
}

export async function clearFailures(orm: Orm, key: string): Promise<void> {
  await orm.delete(loginFailures).where(eq(loginFailures.key, key));
}
