import { and, desc, eq, gt, ne, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { tasks } from '../db/schema.js';
import { takeTransactionLock } from '../db/transaction-lock.js';

/**
 * One cycle at a time, over all processes. Under a transaction-scoped advisory lock, the coordinator looks
 * for another running cycle that has registered (`cycle: true` in its stored input, progress ≥ 1, a live
 * lease) and otherwise registers itself: progress 1, and `cycle: true` written into its input, so that a
 * scheduled cycle (stored input `{}`) stays a cycle when it is retried through the API (which copies the
 * input). Answers the running cycle's id when there is one.
 */
export async function registerCycle(orm: Orm, taskId: string): Promise<string | undefined> {
  return orm.transaction(async (transaction) => {
    await takeTransactionLock(transaction, 'lvlup:imperium-cycle');
    const [other] = await transaction
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        and(
          eq(tasks.agentType, 'imperium'),
          eq(tasks.status, 'running'),
          ne(tasks.id, taskId),
          gt(tasks.progress, 0),
          gt(tasks.leaseExpiresAt, sql`now()`),
          sql`${tasks.input} ->> 'cycle' = 'true'`,
        ),
      )
      .limit(1);
    if (other) return other.id;
    await transaction
      .update(tasks)
      .set({
        progress: sql`greatest(${tasks.progress}, 1)`,
        input: sql`${tasks.input} || '{"cycle": true}'::jsonb`,
      })
      .where(eq(tasks.id, taskId));
    return undefined;
  });
}

/** When the previous completed cycle over the same repository (or all) started: the collection window. */
export async function previousCycleStart(
  orm: Orm,
  taskId: string,
  repositoryId: string | undefined,
): Promise<Date | undefined> {
  const [previous] = await orm
    .select({ startedAt: tasks.startedAt })
    .from(tasks)
    .where(
      and(
        eq(tasks.agentType, 'imperium'),
        eq(tasks.status, 'succeeded'),
        ne(tasks.id, taskId),
        sql`${tasks.result} ->> 'kind' = 'imperium_cycle'`,
        sql`${tasks.result} ->> 'outcome' = 'completed'`,
        sql`coalesce(${tasks.input} ->> 'repository_id', '') = ${repositoryId ?? ''}`,
      ),
    )
    .orderBy(desc(tasks.finishedAt))
    .limit(1);
  return previous?.startedAt ?? undefined;
}
