import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { proposals } from './proposals.js';
import { repositories } from './repositories.js';

/**
 * What lvlup learns from (src/learning): a proposal's verdict, its Sandbox test outcome and its apply
 * outcome, each once, with the proposal's features at that moment. Rows outlive their proposal.
 */
export const learningEvents = pgTable(
  'learning_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    proposalId: uuid('proposal_id').references(() => proposals.id, { onDelete: 'set null' }),
    repositoryId: uuid('repository_id'),
    agentType: text('agent_type').notNull(),
    ruleId: text('rule_id'),
    kind: text('kind', { enum: ['verdict', 'test', 'apply', 'custody'] }).notNull(),
    /** accepted | rejected (verdict), applied | apply_failed (apply), the Sandbox verdict (test), passed | failed (custody) */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    features: jsonb('features').$type<Record<string, unknown>>().notNull(),
    /** the acceptance score the proposal had when this happened: model quality is measured on it, never learned */
    predictedScore: real('predicted_score'),
    xpDelta: integer('xp_delta').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('learning_events_proposal_kind_key').on(table.proposalId, table.kind),
    index('learning_events_kind_idx').on(table.kind, table.id),
    index('learning_events_agent_idx').on(table.agentType, table.id),
    index('learning_events_repository_rule_idx').on(table.repositoryId, table.ruleId),
  ],
);

/** A trained model: a full retrain adds a version, a verdict updates the newest one in place. */
export const learningModels = pgTable(
  'learning_models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['acceptance'] }).notNull(),
    version: integer('version').notNull(),
    weights: jsonb('weights').$type<Record<string, unknown>>().notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>(),
    /** verdicts the weights have learned from */
    trainedOn: integer('trained_on').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('learning_models_kind_version_key').on(table.kind, table.version)],
);

/** A (repository, rule) reviewers keep rejecting: not proposed again until lifted. */
export const learningSuppressions = pgTable(
  'learning_suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    repositoryId: uuid('repository_id')
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').notNull(),
    /** the acceptance rate and number of verdicts that caused it */
    acceptance: real('acceptance').notNull(),
    verdicts: integer('verdicts').notNull(),
    suppressedAt: timestamp('suppressed_at', { withTimezone: true }).notNull().defaultNow(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftedBy: text('lifted_by'),
    /** the newest learning event when it was lifted: only verdicts after it can suppress the rule again */
    liftedAtEventId: bigint('lifted_at_event_id', { mode: 'number' }),
  },
  (table) => [
    uniqueIndex('learning_suppressions_active_key')
      .on(table.repositoryId, table.ruleId)
      .where(sql`${table.liftedAt} is null`),
  ],
);

/** Each agent type's XP, level and record, folded from its learning events (src/learning/agent-progress.ts). */
export const agentProgress = pgTable('agent_progress', {
  agentType: text('agent_type').primaryKey(),
  xp: integer('xp').notNull().default(0),
  level: integer('level').notNull().default(1),
  verdicts: integer('verdicts').notNull().default(0),
  accepted: integer('accepted').notNull().default(0),
  rejected: integer('rejected').notNull().default(0),
  applied: integer('applied').notNull().default(0),
  applyFailed: integer('apply_failed').notNull().default(0),
  testsGiven: integer('tests_given').notNull().default(0),
  testsPassed: integer('tests_passed').notNull().default(0),
  testsFailed: integer('tests_failed').notNull().default(0),
  consecutivePasses: integer('consecutive_passes').notNull().default(0),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** outcomes (1 accepted, 0 rejected) of the most recent verdicts, oldest first: learning_score's window */
  recentVerdicts: jsonb('recent_verdicts').$type<number[]>().notNull().default([]),
  lastEventId: bigint('last_event_id', { mode: 'number' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
