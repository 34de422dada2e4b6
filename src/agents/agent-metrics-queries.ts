import { and, countDistinct, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals, proposalTransitions, tasks } from '../db/schema.js';
import { FINAL_STATUSES } from '../tasks/task-store.js';

const countWhere = (condition: SQL) => sql<number>`(count(*) filter (where ${condition}))::int`;

/** The counts behind an agent type's metrics (agent-metrics.ts): finished tasks, proposals and verdicts. */
export async function agentRecordCounts(orm: Orm, agentType: string, since: Date | undefined) {
  const finished = and(
    eq(tasks.agentType, agentType),
    inArray(tasks.status, [...FINAL_STATUSES]),
    since ? gte(tasks.finishedAt, since) : undefined,
  );
  const verdicts = (status: 'accepted' | 'rejected') =>
    orm
      .select({ count: countDistinct(proposalTransitions.proposalId) })
      .from(proposalTransitions)
      .innerJoin(proposals, eq(proposals.id, proposalTransitions.proposalId))
      .where(
        and(
          eq(proposals.aiType, agentType),
          eq(proposalTransitions.toStatus, status),
          since ? gte(proposalTransitions.at, since) : undefined,
        ),
      );
  const [[runs], [created], [accepted], [rejected]] = await Promise.all([
    orm
      .select({
        runs: sql<number>`count(*)::int`,
        succeeded: countWhere(sql`${tasks.status} = 'succeeded'`),
        failed: countWhere(sql`${tasks.status} = 'failed'`),
        cancelled: countWhere(sql`${tasks.status} = 'cancelled'`),
        deadLetters: countWhere(sql`${tasks.deadLetter}`),
        retries: sql<number>`coalesce(sum(greatest(${tasks.attempts} - 1, 0)), 0)::int`,
        meanDurationMs: sql<
          number | string | null
        >`(avg(extract(epoch from (${tasks.finishedAt} - ${tasks.startedAt})) * 1000) filter (where ${tasks.startedAt} is not null))::float8`,
      })
      .from(tasks)
      .where(finished),
    orm
      .select({ count: sql<number>`count(*)::int` })
      .from(proposals)
      .where(and(eq(proposals.aiType, agentType), since ? gte(proposals.createdAt, since) : undefined)),
    verdicts('accepted'),
    verdicts('rejected'),
  ]);
  return { runs, created, accepted, rejected };
}
