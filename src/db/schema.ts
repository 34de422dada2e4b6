import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'maintainer', 'reviewer', 'viewer'] }).notNull(),
    displayName: text('display_name'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('users_email_key').on(sql`lower(${table.email})`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdBy: text('created_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('api_keys_key_hash_key').on(table.keyHash), index('api_keys_user_id_idx').on(table.userId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('refresh_tokens_token_hash_key').on(table.tokenHash),
    index('refresh_tokens_family_id_idx').on(table.familyId),
  ],
);

/** Failed logins per key (`account:<email>` or `ip:<address>`) in the current window. */
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type', { enum: ['user', 'api_key', 'anonymous', 'cli', 'system'] }).notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    target: text('target'),
    requestId: text('request_id'),
    statusCode: integer('status_code'),
    ip: text('ip'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [index('audit_log_at_idx').on(table.at), index('audit_log_actor_idx').on(table.actorId)],
);

export interface RepositoryPolicy {
  /** `per_proposal`: each applied proposal gets its own branch `lvlup/<short id>`; `target`: commits go to `target_branch` */
  branch_mode: 'per_proposal' | 'target';
  target_branch: string | null;
  pull_requests: boolean;
  auto_apply: boolean;
  /** lowest proposal confidence auto-apply accepts (0–1) */
  auto_apply_min_confidence: number;
  /** open proposals older than this many seconds expire; null keeps them */
  proposal_ttl_seconds: number | null;
  /** what Guardian's repository scans leave out */
  guardian_ignore: GuardianIgnoreList;
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
    source: text('source', { enum: ['clone', 'path'] }).notNull(),
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

export interface ProposalFileChange {
  file_path: string;
  code_before: string;
  code_after: string;
  before_sha256: string;
  after_sha256: string;
}

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

/** The stored event log: its id is the event id clients resume from (SSE `Last-Event-ID`). */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    type: text('type').notNull(),
    topic: text('topic').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index('events_topic_id_idx').on(table.topic, table.id),
    index('events_created_at_idx').on(table.createdAt),
  ],
);

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

/** Append-only task output; a task keeps at most TASK_LOG_LINE_LIMIT lines (tasks.logs_dropped counts the rest). */
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
