import { and, asc, desc, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agentProgress, learningEvents, learningSuppressions, proposals } from '../db/schema.js';
import { presentProgress } from './agent-progress.js';
import type { ModelQuality } from './evaluation.js';
import { prequentialQuality } from './learning-event-store.js';
import { latestModelRow, SCORED_STATUSES } from './model-store.js';
import { listSuppressions, presentSuppression } from './suppression.js';

const round = (value: number) => Math.round(value * 10_000) / 10_000;
const rate = (accepted: number, verdicts: number) => (verdicts ? round(accepted / verdicts) : null);

async function modelSummary(orm: Orm) {
  const row = await latestModelRow(orm);
  if (!row) return null;
  return {
    version: row.version,
    trained_on: row.trainedOn,
    trained_at: row.updatedAt.toISOString(),
    quality: (row.metrics as unknown as ModelQuality | null) ?? null,
  };
}

const acceptedCount = sql<number>`(count(*) filter (where ${learningEvents.outcome} = 'accepted'))::int`;
const total = sql<number>`count(*)::int`;

/** GET /learning/insights: what reviewers accept and reject, over time and by rule and reason. */
export async function learningInsights(orm: Orm, options: { aiType?: string | undefined; days: number; now: Date }) {
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
  const ruleRows = rules.map((row) => ({
    rule_id: row.ruleId!,
    verdicts: row.verdicts,
    accepted: row.accepted,
    rejected: row.verdicts - row.accepted,
    acceptance: rate(row.accepted, row.verdicts)!,
  }));
  const suppressions = await listSuppressions(orm, { includeLifted: false });
  return {
    ai_type: options.aiType ?? null,
    verdicts: overall?.verdicts ?? 0,
    accepted: overall?.accepted ?? 0,
    acceptance: rate(overall?.accepted ?? 0, overall?.verdicts ?? 0),
    acceptance_over_time: overTime.map((row) => ({
      day: row.day,
      verdicts: row.verdicts,
      accepted: row.accepted,
      acceptance: rate(row.accepted, row.verdicts)!,
    })),
    top_accepted_rules: [...ruleRows]
      .filter((row) => row.accepted > 0)
      .sort((a, b) => b.accepted - a.accepted || b.acceptance - a.acceptance || a.rule_id.localeCompare(b.rule_id))
      .slice(0, 10),
    top_rejected_rules: [...ruleRows]
      .filter((row) => row.rejected > 0)
      .sort((a, b) => b.rejected - a.rejected || a.acceptance - b.acceptance || a.rule_id.localeCompare(b.rule_id))
      .slice(0, 10),
    accept_reasons: reasons
      .filter((row) => row.outcome === 'accepted')
      .map((row) => ({ reason: row.reason ?? 'unspecified', count: row.count })),
    reject_reasons: reasons
      .filter((row) => row.outcome === 'rejected')
      .map((row) => ({ reason: row.reason ?? 'unspecified', count: row.count })),
    suppressed_rules: suppressions.map(presentSuppression),
    model: await modelSummary(orm),
    recent_quality: await prequentialQuality(orm),
    agents: progress.map(presentProgress),
  };
}

/** GET /learning/stats: counts of what has been learned. */
export async function learningStats(orm: Orm) {
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
  const byKind = (kind: string) => events.filter((row) => row.kind === kind);
  const verdicts = byKind('verdict');
  const verdictCount = verdicts.reduce((sum, row) => sum + row.count, 0);
  const accepted = verdicts.find((row) => row.outcome === 'accepted')?.count ?? 0;
  const outcomes = (kind: string) => Object.fromEntries(byKind(kind).map((row) => [row.outcome, row.count]));
  const mean = scores?.mean;
  return {
    events: events.reduce((sum, row) => sum + row.count, 0),
    verdicts: verdictCount,
    acceptance: rate(accepted, verdictCount),
    verdict_outcomes: outcomes('verdict'),
    test_outcomes: outcomes('test'),
    apply_outcomes: outcomes('apply'),
    proposals_awaiting_review: scores?.awaiting ?? 0,
    proposals_scored: scores?.scored ?? 0,
    mean_acceptance_score: mean === null || mean === undefined ? null : round(Number(mean)),
    suppressions: { active: suppressions?.active ?? 0, lifted: suppressions?.lifted ?? 0 },
    model: await modelSummary(orm),
    agents: progress.map(presentProgress),
  };
}
