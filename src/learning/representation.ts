import { z } from 'zod';
import { DIFFICULTIES } from './xp.js';

export const modelQualitySchema = z
  .object({
    n: z.number().int().describe('held-out verdicts the quality is measured on (the most recent ones)'),
    accepted: z.number().int(),
    auc: z.number().nullable().describe('area under the ROC curve; null unless both outcomes are present'),
    brier: z.number().nullable().describe('mean squared error of the probabilities'),
    calibration: z.array(
      z.object({
        from: z.number(),
        to: z.number(),
        n: z.number().int(),
        mean_predicted: z.number(),
        observed: z.number().describe('share accepted'),
      }),
    ),
    method: z
      .enum(['holdout', 'prequential'])
      .describe(
        '`holdout`: a model trained on the older verdicts scored the recent ones (full retrain); ' +
          '`prequential`: the scores the proposals had when they were reviewed (incremental updates)',
      ),
  })
  .meta({ id: 'ModelQuality' });

export const modelSummarySchema = z
  .object({
    version: z.number().int(),
    trained_on: z.number().int().describe('verdicts learned from'),
    trained_at: z.string(),
    quality: modelQualitySchema.nullable(),
  })
  .nullable()
  .describe('the acceptance model; null until the first verdict');

export const agentProgressSchema = z
  .object({
    agent_type: z.string(),
    xp: z.number().int(),
    level: z.number().int(),
    difficulty: z.enum(DIFFICULTIES).describe('the custody test difficulty for this level'),
    xp_to_next_level: z.number().int().nullable(),
    learning_score: z.number().nullable().describe('acceptance over the agent’s last 20 verdicts'),
    success_rate: z.number().nullable().describe('accepted / verdicts, all time'),
    verdicts: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    applied: z.number().int(),
    apply_failed: z.number().int(),
    tests_given: z.number().int().describe('Sandbox tests of its proposals'),
    tests_passed: z.number().int().describe('verdict passed or fixed'),
    tests_failed: z.number().int().describe('verdict regression'),
    consecutive_passes: z.number().int(),
    consecutive_failures: z.number().int(),
    updated_at: z.string(),
  })
  .meta({ id: 'AgentProgress' });

export const suppressionSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    rule_id: z.string(),
    acceptance: z.number().describe('share accepted when it was suppressed'),
    verdicts: z.number().int(),
    suppressed_at: z.string(),
    lifted_at: z.string().nullable(),
    lifted_by: z.string().nullable(),
  })
  .meta({ id: 'Suppression' });

const ruleRecord = z.object({
  rule_id: z.string(),
  verdicts: z.number().int(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  acceptance: z.number(),
});
const reasonCount = z.object({ reason: z.string(), count: z.number().int() });

export const insightsSchema = z
  .object({
    ai_type: z.string().nullable(),
    verdicts: z.number().int(),
    accepted: z.number().int(),
    acceptance: z.number().nullable(),
    acceptance_over_time: z
      .array(
        z.object({ day: z.string(), verdicts: z.number().int(), accepted: z.number().int(), acceptance: z.number() }),
      )
      .describe('per UTC day with verdicts'),
    top_accepted_rules: z.array(ruleRecord),
    top_rejected_rules: z.array(ruleRecord),
    accept_reasons: z.array(reasonCount),
    reject_reasons: z.array(reasonCount),
    suppressed_rules: z.array(suppressionSchema).describe('active suppressions (every agent)'),
    model: modelSummarySchema,
    recent_quality: modelQualitySchema.describe('the scores the last 100 reviewed proposals had (every agent)'),
    agents: z.array(agentProgressSchema),
  })
  .meta({ id: 'LearningInsights' });

export const statsSchema = z
  .object({
    events: z.number().int(),
    verdicts: z.number().int(),
    acceptance: z.number().nullable(),
    verdict_outcomes: z.record(z.string(), z.number().int()),
    test_outcomes: z.record(z.string(), z.number().int()),
    apply_outcomes: z.record(z.string(), z.number().int()),
    proposals_awaiting_review: z.number().int(),
    proposals_scored: z.number().int(),
    mean_acceptance_score: z.number().nullable(),
    suppressions: z.object({ active: z.number().int(), lifted: z.number().int() }),
    model: modelSummarySchema,
    agents: z.array(agentProgressSchema),
  })
  .meta({ id: 'LearningStats' });

export const learningCycleSchema = z
  .object({
    model: z
      .object({
        version: z.number().int(),
        trained_on: z.number().int(),
        trained_at: z.string(),
        metrics: modelQualitySchema.nullable().describe('null when there are too few verdicts to hold any out'),
      })
      .nullable()
      .describe('the new model version; null when there is no verdict yet'),
    backfilled_events: z.number().int().describe('events stored now for proposals that had none'),
    suppressed: z.number().int().describe('(repository, rule) pairs newly suppressed'),
    agents_recomputed: z.array(z.string()),
    rescored_proposals: z.number().int(),
    duration_ms: z.number().int(),
  })
  .meta({ id: 'LearningCycle' });
