import type { ProposalFileChange } from '../analysis/changes.js';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
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

export type { ProposalFileChange } from '../analysis/changes.js';

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
