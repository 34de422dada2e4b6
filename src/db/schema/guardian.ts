import {
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
import { proposals } from './proposals.js';
import { repositories } from './repositories.js';

/** A fix as stored with a Guardian suggestion: edits are offsets into the file content that was scanned. */
export interface StoredGuardianFix {
  description: string;
  edits: { start: number; end: number; replacement: string }[];
}

/**
 * One finding of Guardian's repository scans, identified by a fingerprint that survives unrelated edits
 * (see src/agents/guardian/fingerprint.ts). A scan updates its position and last_seen_at but never its
 * status: a rejected or ignored suggestion stays so when it is found again.
 */
export const guardianSuggestions = pgTable(
  'guardian_suggestions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    repositoryId: uuid('repository_id')
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    filePath: text('file_path').notNull(),
    ruleId: text('rule_id').notNull(),
    issueType: text('issue_type').notNull(),
    cwe: text('cwe').notNull(),
    severity: text('severity').notNull(),
    confidence: text('confidence').notNull(),
    line: integer('line').notNull(),
    column: integer('column').notNull(),
    endLine: integer('end_line').notNull(),
    endColumn: integer('end_column').notNull(),
    message: text('message').notNull(),
    remediation: text('remediation').notNull(),
    codeSnippet: text('code_snippet').notNull(),
    fix: jsonb('fix').$type<StoredGuardianFix>(),
    /** sha256 of the file content the position and fix refer to */
    contentHash: text('content_hash').notNull(),
    commit: text('commit').notNull(),
    status: text('status', { enum: ['pending', 'approved', 'rejected', 'ignored'] })
      .notNull()
      .default('pending'),
    resolved: boolean('resolved').notNull().default(false),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    proposalId: uuid('proposal_id').references(() => proposals.id, { onDelete: 'set null' }),
    reviewReason: text('review_reason'),
    reviewNote: text('review_note'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('guardian_suggestions_fingerprint_key').on(table.repositoryId, table.fingerprint),
    index('guardian_suggestions_file_idx').on(table.repositoryId, table.filePath),
    index('guardian_suggestions_status_idx').on(table.status, table.createdAt),
    index('guardian_suggestions_severity_idx').on(table.severity),
    index('guardian_suggestions_rule_id_idx').on(table.ruleId),
    index('guardian_suggestions_created_at_idx').on(table.createdAt, table.id),
  ],
);

/** The content each file had when Guardian last scanned it: an unchanged file is not analysed again. */
export const guardianFileScans = pgTable(
  'guardian_file_scans',
  {
    repositoryId: uuid('repository_id')
      .notNull()
      .references(() => repositories.id, { onDelete: 'cascade' }),
    filePath: text('file_path').notNull(),
    contentHash: text('content_hash').notNull(),
    /** identifies the rules that ran; a change (an ignored rule, a new rule) scans the file again */
    rulesKey: text('rules_key').notNull(),
    findings: integer('findings').notNull(),
    commit: text('commit').notNull(),
    scannedAt: timestamp('scanned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.repositoryId, table.filePath] })],
);
