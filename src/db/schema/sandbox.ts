import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { proposals } from './proposals.js';
import { repositories } from './repositories.js';

/** One command of a sandbox run, as stored: output is bounded, its head and tail kept. */
export interface SandboxCommandResult {
  command: string;
  exit_code: number | null;
  signal: string | null;
  duration_ms: number;
  /** the limit that stopped the command, if one did */
  limit: 'time' | 'output' | 'memory' | 'processes' | null;
  output_head: string;
  output_tail: string;
  output_bytes: number;
  truncated: boolean;
}

/**
 * A run of a repository's checks in a sandbox: on a proposal's change, or on the unchanged base commit
 * (a baseline, stored once per repository, commit and command list and reused by every proposal on it).
 */
export const sandboxRuns = pgTable(
  'sandbox_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    repositoryId: uuid('repository_id')
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    proposalId: uuid('proposal_id').references(() => proposals.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['proposal', 'baseline'] }).notNull(),
    commit: text('commit').notNull(),
    /** sha256 of the command list; a baseline is valid only for the commands it ran */
    checksKey: text('checks_key').notNull(),
    commands: jsonb('commands').$type<string[]>().notNull(),
    status: text('status', { enum: ['passed', 'failed', 'error'] }).notNull(),
    isolation: text('isolation', { enum: ['bwrap', 'none'] }).notNull(),
    results: jsonb('results').$type<SandboxCommandResult[]>().notNull().default([]),
    error: text('error'),
    taskId: uuid('task_id'),
    /** wall time of the run minus the time spent in the commands themselves */
    overheadMs: integer('overhead_ms'),
    durationMs: integer('duration_ms').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('sandbox_runs_baseline_key')
      .on(table.repositoryId, table.commit, table.checksKey)
      .where(sql`${table.kind} = 'baseline'`),
    index('sandbox_runs_proposal_id_idx').on(table.proposalId, table.createdAt),
  ],
);

export interface TimingSummary {
  min: number;
  median: number;
  max: number;
  mean: number;
}

/** A command timed N times on a base commit and on a proposal's change, runs alternating. */
export const sandboxExperiments = pgTable(
  'sandbox_experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    repositoryId: uuid('repository_id')
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    proposalId: uuid('proposal_id').references(() => proposals.id, { onDelete: 'cascade' }),
    command: text('command').notNull(),
    runs: integer('runs').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] })
      .notNull()
      .default('queued'),
    commit: text('commit'),
    isolation: text('isolation', { enum: ['bwrap', 'none'] }),
    baseTimingsMs: jsonb('base_timings_ms').$type<number[]>().notNull().default([]),
    proposalTimingsMs: jsonb('proposal_timings_ms').$type<number[]>().notNull().default([]),
    baseSummary: jsonb('base_summary').$type<TimingSummary>(),
    proposalSummary: jsonb('proposal_summary').$type<TimingSummary>(),
    /** proposal median divided by base median: below 1 is faster */
    ratio: real('ratio'),
    error: text('error'),
    taskId: uuid('task_id'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('sandbox_experiments_created_at_idx').on(table.createdAt, table.id),
    index('sandbox_experiments_repository_id_idx').on(table.repositoryId),
  ],
);
