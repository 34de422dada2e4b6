// Deployments: one commit of a project run by lvlup under supervision, the process that owns each one (a
// lease), and the bounded log of what the app wrote.
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { projects } from './projects.js';

/** The last health check of a deployment. */
export interface DeploymentHealth {
  readonly ok: boolean;
  /** the HTTP status, or null when the app did not answer */
  readonly status: number | null;
  readonly latency_ms: number | null;
  readonly error?: string | undefined;
  readonly at: string;
}

export interface DeploymentFailure {
  readonly code: string;
  readonly message: string;
}

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** one deployment per project: stage 10 updates it with each new commit */
    projectId: uuid('project_id')
      .notNull()
      .unique()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** the path segment of its proxy address, /apps/{slug}/ */
    slug: text('slug').notNull().unique(),
    commit: text('commit').notNull(),
    status: text('status', { enum: ['pending', 'building', 'testing', 'running', 'failed', 'stopped'] })
      .notNull()
      .default('pending'),
    /** what the deployment should be doing: the supervisor that owns it makes it so */
    desired: text('desired', { enum: ['running', 'stopped'] })
      .notNull()
      .default('running'),
    /** counts requests to (re)deploy: a waiter knows the outcome it reads is of its own request */
    generation: integer('generation').notNull().default(1),
    startCommand: text('start_command').notNull(),
    healthPath: text('health_path').notNull(),
    /** the loopback TCP port lvlup forwards to the app's socket (kept across restarts when free) */
    port: integer('port'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    restarts: integer('restarts').notNull().default(0),
    lastHealth: jsonb('last_health').$type<DeploymentHealth>(),
    failure: jsonb('failure').$type<DeploymentFailure>(),
    /** the lvlup process that supervises it, and until when its lease holds without a heartbeat */
    ownerId: text('owner_id'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('deployments_owner_idx').on(table.ownerId)],
);

export const deploymentLogs = pgTable(
  'deployment_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deploymentId: uuid('deployment_id')
      .notNull()
      .references(() => deployments.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** `app` (what it wrote) or `lvlup` (what the supervisor did: builds, starts, restarts, health) */
    source: text('source', { enum: ['app', 'lvlup'] }).notNull(),
    line: text('line').notNull(),
  },
  (table) => [index('deployment_logs_deployment_idx').on(table.deploymentId, table.id)],
);
