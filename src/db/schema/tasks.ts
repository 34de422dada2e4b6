// Agents and their runs: tasks (the queue), their logs and attempts, and schedules.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/** One row per agent: built-in agents have the name of their type. `status` is kept by the task runtime. */
export const agents = pgTable(
  'agents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    status: text('status', { enum: ['idle', 'running', 'paused', 'error'] })
      .notNull()
      .default('idle'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('agents_name_key').on(table.name), index('agents_type_idx').on(table.type)],
);

/** One row per run of an agent; the row is also the queue entry (see src/tasks/task-store.ts). */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    agentType: text('agent_type').notNull(),
    status: text('status', { enum: ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    trigger: text('trigger', { enum: ['manual', 'schedule', 'event', 'retry'] }).notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    result: jsonb('result').$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    progress: integer('progress').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    priority: integer('priority').notNull().default(0),
    idempotencyKey: text('idempotency_key'),
    retryOf: uuid('retry_of'),
    /** earliest time the task may start (later than creation while it waits out a backoff) */
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true }),
    deadLetter: boolean('dead_letter').notNull().default(false),
    logLines: integer('log_lines').notNull().default(0),
    logsDropped: integer('logs_dropped').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('tasks_pending_idx')
      .on(table.agentType, table.priority, table.runAt)
      .where(sql`${table.status} in ('queued', 'retrying')`),
    index('tasks_running_idx')
      .on(table.leaseExpiresAt)
      .where(sql`${table.status} = 'running'`),
    index('tasks_agent_id_idx').on(table.agentId, table.createdAt),
    index('tasks_agent_finished_idx').on(table.agentId, table.finishedAt),
    index('tasks_status_idx').on(table.status, table.createdAt),
    index('tasks_created_at_idx').on(table.createdAt, table.id),
    uniqueIndex('tasks_idempotency_key_key').on(table.idempotencyKey),
  ],
);

/**
 * Append-only task output; each attempt of a task keeps at most TASK_LOG_LINE_LIMIT lines
 * (task_log_attempts counts them and the dropped rest per attempt; tasks.log_lines and logs_dropped add up).
 */
export const taskLogs = pgTable(
  'task_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    level: text('level', { enum: ['debug', 'info', 'warn', 'error'] }).notNull(),
    message: text('message').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('task_logs_task_id_idx').on(table.taskId, table.id)],
);

/**
 * Log lines kept and dropped per attempt of a task: the limit is per attempt, so an attempt that timed
 * out after filling it cannot crowd out the lines of the attempt that followed it.
 */
export const taskLogAttempts = pgTable(
  'task_log_attempts',
  {
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    lines: integer('lines').notNull().default(0),
    dropped: integer('dropped').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.attempt] })],
);

/** When each agent runs by itself: an interval or a cron expression, persisted so changes outlive restarts. */
export const schedules = pgTable('schedules', {
  agentType: text('agent_type').primaryKey(),
  intervalSeconds: integer('interval_seconds'),
  cron: text('cron'),
  enabled: boolean('enabled').notNull().default(true),
  /** the start of the next period; the process that moves it forward is the one that enqueues the run */
  nextRunAt: timestamp('next_run_at', { withTimezone: true }).notNull(),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }),
  lastTaskId: uuid('last_task_id'),
  updatedBy: text('updated_by'),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
