import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/** One call to a language model, with the usage its provider reported. */
export const tokenUsage = pgTable(
  'token_usage',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    agentType: text('agent_type').notNull(),
    taskId: uuid('task_id'),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    purpose: text('purpose'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    /** false when the model has no price in the table: `cost_usd` is then 0 without being known */
    costEstimated: boolean('cost_estimated').notNull().default(true),
    /** served from the response cache: no tokens were spent */
    cached: boolean('cached').notNull().default(false),
    outcome: text('outcome', { enum: ['ok', 'error'] })
      .notNull()
      .default('ok'),
    errorCode: text('error_code'),
    durationMs: integer('duration_ms'),
    createdAt: createdAt(),
  },
  (table) => [
    index('token_usage_created_at_idx').on(table.createdAt),
    index('token_usage_agent_created_at_idx').on(table.agentType, table.createdAt),
  ],
);

/**
 * Tokens held by LLM calls in flight, so that concurrent calls see each other before the budget check: a
 * row is written with the budget check (under one advisory lock) and deleted when the call has recorded its
 * usage. A row left by a crashed process stops counting at `expires_at`.
 */
export const llmBudgetReservations = pgTable(
  'llm_budget_reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agentType: text('agent_type').notNull(),
    tokens: integer('tokens').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('llm_budget_reservations_expires_at_idx').on(table.expiresAt)],
);

/** Exact LLM response cache: same provider, model, prompt and parameters within the TTL. */
export const llmResponseCache = pgTable(
  'llm_response_cache',
  {
    key: text('key').primaryKey(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    response: jsonb('response').$type<Record<string, unknown>>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('llm_response_cache_expires_at_idx').on(table.expiresAt)],
);
