import { jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

export interface RepositoryPolicy {
  /** `per_proposal`: each applied proposal gets its own branch `lvlup/<short id>`; `target`: commits go to `target_branch` */
  branch_mode: 'per_proposal' | 'target';
  target_branch: string | null;
  pull_requests: boolean;
  auto_apply: boolean;
  /** lowest proposal confidence auto-apply accepts (0–1) */
  auto_apply_min_confidence: number;
  /** lowest level (XP) of the proposing agent auto-apply accepts (1–10) */
  auto_apply_min_level: number;
  /** lowest learned acceptance score auto-apply accepts (0–1); null turns the gate off */
  auto_apply_min_acceptance: number | null;
  /** open proposals older than this many seconds expire; null keeps them */
  proposal_ttl_seconds: number | null;
  /** what Guardian's repository scans leave out */
  guardian_ignore: GuardianIgnoreList;
  /** a command whose run time measures a performance claim (Sandbox experiments); null: claims stay claims */
  benchmark_command: string | null;
}

/** Guardian rules (ids) and path globs (`*`, `**`, `?`) a repository's scans leave out. */
export interface GuardianIgnoreList {
  rules: string[];
  paths: string[];
}

export const repositories = pgTable(
  'repositories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    source: text('source', { enum: ['clone', 'path', 'project'] }).notNull(),
    cloneUrl: text('clone_url'),
    path: text('path').notNull(),
    defaultBranch: text('default_branch').notNull(),
    headCommit: text('head_commit'),
    checkCommands: jsonb('check_commands').$type<string[]>().notNull().default([]),
    policy: jsonb('policy').$type<RepositoryPolicy>().notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
  },
  (table) => [uniqueIndex('repositories_path_key').on(table.path)],
);
