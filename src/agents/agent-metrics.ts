import { z } from 'zod';
import type { Orm } from '../db/database.js';
import { presentProgress } from '../learning/agent-progress.js';
import { findAgentProgress } from '../learning/agent-progress-store.js';
import { agentRecordCounts } from './agent-metrics-queries.js';

export const agentMetricsSchema = z
  .object({
    agent_type: z.string(),
    since: z.string().nullable().describe('only what happened at or after this time; everything when null'),
    runs: z.number().int().describe('finished tasks (succeeded, failed or cancelled), by finished_at'),
    succeeded: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    success_rate: z
      .number()
      .nullable()
      .describe('succeeded / (succeeded + failed); null when no task succeeded or failed'),
    mean_duration_ms: z
      .number()
      .nullable()
      .describe("mean of finished tasks' last attempt, start to finish; null when none started"),
    retries: z.number().int().describe('attempts beyond the first, over the finished tasks'),
    dead_letters: z.number().int().describe('finished tasks that failed for good and were not retried since'),
    proposals_created: z.number().int().describe('proposals with this ai_type, by created_at'),
    proposals_accepted: z
      .number()
      .int()
      .describe('proposals with this ai_type a reviewer (or auto-apply) accepted, by the time of the verdict'),
    proposals_rejected: z.number().int().describe('by the time of the verdict'),
    xp: z.number().int().describe('from the learning history (docs/learning.md), all time'),
    level: z.number().int(),
    learning_score: z
      .number()
      .nullable()
      .describe('acceptance over the last verdicts (docs/learning.md); null before the first verdict'),
    tests_given: z.number().int().describe("Sandbox tests of the agent's proposals and custody tests, all time"),
    tests_passed: z.number().int(),
    tests_failed: z.number().int(),
    consecutive_passes: z.number().int(),
    consecutive_failures: z.number().int(),
  })
  .meta({ id: 'AgentMetrics' });

export type AgentMetrics = z.infer<typeof agentMetricsSchema>;

/**
 * An agent type's record, computed from stored tasks and proposals only. Verdicts come from the proposals'
 * transition history, so a proposal accepted and then applied (or expired) still counts as accepted.
 */
export async function agentMetrics(orm: Orm, agentType: string, since: Date | undefined): Promise<AgentMetrics> {
  const { runs, created, accepted, rejected } = await agentRecordCounts(orm, agentType, since);
  const succeeded = runs?.succeeded ?? 0;
  const failed = runs?.failed ?? 0;
  const mean = runs?.meanDurationMs;
  return {
    agent_type: agentType,
    since: since?.toISOString() ?? null,
    runs: runs?.runs ?? 0,
    succeeded,
    failed,
    cancelled: runs?.cancelled ?? 0,
    success_rate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null,
    mean_duration_ms: mean === null || mean === undefined ? null : Math.round(Number(mean) * 1000) / 1000,
    retries: runs?.retries ?? 0,
    dead_letters: runs?.deadLetters ?? 0,
    proposals_created: created?.count ?? 0,
    proposals_accepted: accepted?.count ?? 0,
    proposals_rejected: rejected?.count ?? 0,
    ...(await learnedProgress(orm, agentType)),
  };
}

/** The agent's XP, level and test record as the learning module's one writer keeps them. */
async function learnedProgress(orm: Orm, agentType: string) {
  const row = await findAgentProgress(orm, agentType);
  const progress = row ? presentProgress(row) : undefined;
  return {
    xp: progress?.xp ?? 0,
    level: progress?.level ?? 1,
    learning_score: progress?.learning_score ?? null,
    tests_given: progress?.tests_given ?? 0,
    tests_passed: progress?.tests_passed ?? 0,
    tests_failed: progress?.tests_failed ?? 0,
    consecutive_passes: progress?.consecutive_passes ?? 0,
    consecutive_failures: progress?.consecutive_failures ?? 0,
  };
}
