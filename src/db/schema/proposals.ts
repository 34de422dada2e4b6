import { sql } from 'drizzle-orm';
import {
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
import type { ProposalFileChange } from '../../analysis/changes.js';
import { createdAt } from './columns.js';
import { repositories } from './repositories.js';

export interface ApplyFailure {
  message: string;
  conflicts: string[];
}

export const proposals = pgTable(
  'proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    aiType: text('ai_type').notNull(),
    repositoryId: uuid('repository_id').references(() => repositories.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('pending'),
    description: text('description'),
    rationale: text('rationale'),
    ruleId: text('rule_id'),
    category: text('category'),
    confidence: real('confidence'),
    /** the learned probability that a reviewer accepts it (src/learning); null until a model exists */
    acceptanceScore: real('acceptance_score'),
    filePath: text('file_path').notNull(),
    changes: jsonb('changes').$type<ProposalFileChange[]>().notNull(),
    diff: text('diff').notNull(),
    hunks: integer('hunks').notNull(),
    additions: integer('additions').notNull(),
    deletions: integer('deletions').notNull(),
    contentHash: text('content_hash').notNull(),
    baseCommit: text('base_commit'),
    testResults: jsonb('test_results').$type<Record<string, unknown>>(),
    findings: jsonb('findings').$type<Record<string, unknown>[]>(),
    reviewReason: text('review_reason'),
    reviewNote: text('review_note'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    appliedCommit: text('applied_commit'),
    appliedBranch: text('applied_branch'),
    pullRequestUrl: text('pull_request_url'),
    pullRequestError: text('pull_request_error'),
    applyError: jsonb('apply_error').$type<ApplyFailure>(),
    supersededBy: uuid('superseded_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('proposals_status_idx').on(table.status),
    index('proposals_ai_type_idx').on(table.aiType),
    index('proposals_repository_id_idx').on(table.repositoryId),
    index('proposals_rule_id_idx').on(table.ruleId),
    index('proposals_created_at_idx').on(table.createdAt, table.id),
    // An identical change may exist only once among proposals that are open, applied or rejected;
    // expired, superseded and failed ones may be proposed again.
    uniqueIndex('proposals_content_hash_live_key')
      .on(table.contentHash)
      .where(sql`${table.status} not in ('expired', 'superseded', 'apply-failed')`),
  ],
);

export const proposalTransitions = pgTable(
  'proposal_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    proposalId: uuid('proposal_id')
      .notNull()
      .references(() => proposals.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actor: text('actor'),
    reason: text('reason'),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('proposal_transitions_proposal_id_idx').on(table.proposalId, table.id)],
);
