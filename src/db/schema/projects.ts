// Projects (apps lvlup generates), the stages of their pipeline runs, and the artifacts the stages store.
import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { repositories } from './repositories.js';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

export interface ProjectFailure {
  readonly code: string;
  readonly message: string;
  readonly stage?: string | undefined;
}

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>(),
    openapi: jsonb('openapi').$type<Record<string, unknown>>(),
    template: text('template'),
    targets: jsonb('targets').$type<string[]>().notNull(),
    /** `offline` or `model`; null: chosen when a stage runs (model for a description alone with an LLM configured) */
    engine: text('engine', { enum: ['offline', 'model'] }),
    /** tokens (input + output) one run of the model engine may spend; null: PROJECT_TOKEN_BUDGET */
    tokenBudget: integer('token_budget'),
    /** seconds one run of the model engine may take from its start; null: PROJECT_TIME_BUDGET_SECONDS */
    timeBudgetSeconds: integer('time_budget_seconds'),
    status: text('status', { enum: ['draft', 'running', 'succeeded', 'failed', 'cancelled'] })
      .notNull()
      .default('draft'),
    /** counts the runs: a stage task belongs to one run, and a task of an earlier run does nothing */
    run: integer('run').notNull().default(0),
    currentStage: text('current_stage'),
    failure: jsonb('failure').$type<ProjectFailure>(),
    /** the git repository lvlup keeps the generated app in, created by the first run */
    repositoryId: uuid('repository_id').references(() => repositories.id, { onDelete: 'set null' }),
    ownerId: text('owner_id').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [index('projects_owner_idx').on(table.ownerId), index('projects_status_idx').on(table.status)],
);

export const projectStages = pgTable(
  'project_stages',
  {
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    stage: text('stage').notNull(),
    position: integer('position').notNull(),
    status: text('status', { enum: ['pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] })
      .notNull()
      .default('pending'),
    run: integer('run').notNull().default(0),
    taskId: uuid('task_id'),
    attempts: integer('attempts').notNull().default(0),
    commit: text('commit'),
    reason: text('reason'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.projectId, table.stage] })],
);

export const artifacts = pgTable(
  'artifacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    taskId: uuid('task_id'),
    stage: text('stage').notNull(),
    run: integer('run').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    mediaType: text('media_type').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    content: bytea('content').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('artifacts_project_idx').on(table.projectId, table.run),
    index('artifacts_task_idx').on(table.taskId),
  ],
);
