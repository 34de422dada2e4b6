import { bigint, boolean, index, integer, jsonb, pgTable, real, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { tasks } from './tasks.js';

/**
 * One custody test of an agent (src/custody/): generated cases with ground truth at a difficulty, scored
 * deterministically from (agent type, difficulty, seed). A pass awards XP through a `custody` learning event.
 */
export const custodyTests = pgTable(
  'custody_tests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agentType: text('agent_type').notNull(),
    difficulty: text('difficulty', {
      enum: ['basic', 'intermediate', 'advanced', 'expert', 'master', 'legendary'],
    }).notNull(),
    seed: bigint('seed', { mode: 'number' }).notNull(),
    cases: integer('cases').notNull(),
    passedCases: integer('passed_cases').notNull(),
    score: real('score').notNull(),
    passed: boolean('passed').notNull(),
    xpAwarded: integer('xp_awarded').notNull().default(0),
    /** per case: id, kind, expected, got, correct (bounded) */
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    trigger: text('trigger').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('custody_tests_agent_idx').on(table.agentType, table.createdAt),
    index('custody_tests_created_idx').on(table.createdAt),
    // a retried attempt of the same task stores (and awards) nothing twice
    uniqueIndex('custody_tests_task_agent_key').on(table.taskId, table.agentType),
  ],
);
