import { and, asc, desc, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agentProgress, learningEvents, learningSuppressions, proposals } from '../db/schema.js';
import { SCORED_STATUSES } from './model-store.js';

const acceptedCount = sql<number>`(count(*) filter (where ${learningEvents.outcome} = 'accepted'))::int`;
const total = sql<number>`count(*)::int`;

/** The verdicts behind GET /learning/insights: by day since `days` ago, by rule, by reason, overall. */
export async function verdictBreakdown(orm: Orm, options: { aiType?: string | undefined; days: number; now: Date }) {
  const verdictOf = (extra?: SQL) =>
    and(
      eq(learningEvents.kind, 'verdict'),
      options.aiType ? eq(learningEvents.agentType, options.aiType) : undefined,
      extra,
    );
  const since = new Date(options.now.getTime() - options.days * 86_400_000);
  const day = sql<string>`to_char(date_trunc('day', ${learningEvents.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
  const [overTime, rules, reasons, [overall], progress] = await Promise.all([
    orm
      .select({ day, verdicts: total, accepted: acceptedCount })
      .from(learningEvents)
      .where(verdictOf(gte(learningEvents.createdAt, since)))
      .groupBy(day)
      .orderBy(asc(day)),
    orm
      .select({ ruleId: learningEvents.ruleId, verdicts: total, accepted: acceptedCount })
      .from(learningEvents)
      .where(verdictOf(isNotNull(learningEvents.ruleId)))
      .groupBy(learningEvents.ruleId),
    orm
      .select({ outcome: learningEvents.outcome, reason: learningEvents.reason, count: total })
      .from(learningEvents)
      .where(verdictOf())
      .groupBy(learningEvents.outcome, learningEvents.reason)
      .orderBy(desc(total), asc(learningEvents.outcome), asc(learningEvents.reason)),
    orm.select({ verdicts: total, accepted: acceptedCount }).from(learningEvents).where(verdictOf()),
    orm
      .select()
      .from(agentProgress)
      .where(options.aiType ? eq(agentProgress.agentType, options.aiType) : undefined)
      .orderBy(asc(agentProgress.agentType)),
  ]);
  return { overTime, rules, reasons, overall, progress };
}

/** The counts behind GET /learning/stats. */
export async function learningCounts(orm: Orm) {
  const [events, [scores], [suppressions], progress] = await Promise.all([
    orm
      .select({ kind: learningEvents.kind, outcome: learningEvents.outcome, count: total })
      .from(learningEvents)
      .groupBy(learningEvents.kind, learningEvents.outcome)
      .orderBy(asc(learningEvents.kind), asc(learningEvents.outcome)),
    orm
      .select({
        awaiting: sql<number>`count(*)::int`,
        scored: sql<number>`(count(*) filter (where ${proposals.acceptanceScore} is not null))::int`,
        mean: sql<number | string | null>`avg(${proposals.acceptanceScore})::float8`,
      })
      .from(proposals)
      .where(inArray(proposals.status, [...SCORED_STATUSES])),
    orm
      .select({
        active: sql<number>`(count(*) filter (where ${learningSuppressions.liftedAt} is null))::int`,
        lifted: sql<number>`(count(*) filter (where ${learningSuppressions.liftedAt} is not null))::int`,
      })
      .from(learningSuppressions),
    orm.select().from(agentProgress).orderBy(asc(agentProgress.agentType)),
  ]);
  return { events, scores, suppressions, progress };
}
