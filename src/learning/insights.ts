import type { Orm } from '../db/database.js';
import { presentProgress } from './agent-progress.js';
import type { ModelQuality } from './evaluation.js';
import { learningCounts, verdictBreakdown } from './insights-queries.js';
import { prequentialQuality } from './learning-event-store.js';
import { latestModelRow } from './model-store.js';
import { listSuppressions, presentSuppression } from './suppression-store.js';

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

/** GET /learning/insights: what reviewers accept and reject, over time and by rule and reason. */
export async function learningInsights(orm: Orm, options: { aiType?: string | undefined; days: number; now: Date }) {
  const { overTime, rules, reasons, overall, progress } = await verdictBreakdown(orm, options);
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
  const { events, scores, suppressions, progress } = await learningCounts(orm);
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
