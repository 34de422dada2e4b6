import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { projectFolder } from '../projects/project-work-tree.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { runInstance, type InstanceTimings } from './app-instance.js';
import { publishDeploymentEvent } from './deployment-events.js';
import {
  appendLogLines,
  claimDeployments,
  findDeployment,
  releaseDeployments,
  updateDeployment,
  updateOwnedDeployment,
  type Deployment,
} from './deployment-store.js';
import { presentLogLine } from './representation.js';

// The deployments this lvlup process runs. Every heartbeat it renews the leases of those it owns and
// claims those that should run and have no live owner; it starts what it owns and should run, and stops
// what it no longer owns. With several processes on one PostgreSQL each deployment has one owner at a time;
// a process that dies (its sandboxes die with it: bubblewrap's --die-with-parent) leaves its leases to
// expire, and the next heartbeat anywhere takes them over and starts the apps again. Nothing is adopted
// across processes: an app never outlives the process that supervises it, so it is never running twice.

export interface SupervisorSettings {
  readonly database: Database;
  readonly events: EventBus;
  readonly dataDirectory: string;
  readonly packageCache: string;
  readonly sandbox: () => Promise<SandboxService>;
  readonly now?: () => Date;
  /** how long a lease holds without a heartbeat */
  readonly leaseMs: number;
  /** how often this process renews its leases and looks for deployments to claim (a third of the lease) */
  readonly heartbeatMs?: number;
  readonly timings: InstanceTimings;
  /** log lines kept per deployment */
  readonly logLines: number;
  /** this process's name in the `owner_id` column */
  readonly ownerId?: string;
  readonly log: { info(object: unknown, message: string): void; warn(object: unknown, message: string): void };
}

export interface DeploymentSupervisor {
  readonly ownerId: string;
  start(): void;
  /** renews, claims, starts and stops now (also what every heartbeat and every deployment event does) */
  reconcile(): Promise<void>;
  /** stops every app this process runs and gives up its leases */
  stop(): Promise<void>;
  /** how many apps this process runs */
  running(): number;
}

interface Local {
  readonly generation: number;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

const FLUSH_MS = 250;

export function createDeploymentSupervisor(settings: SupervisorSettings): DeploymentSupervisor {
  const { database, events } = settings;
  const orm = database.orm;
  const now = settings.now ?? (() => new Date());
  const ownerId = settings.ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const locals = new Map<string, Local>();
  let stopped = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let pass: Promise<void> | undefined;
  let again = false;

  /** Log lines are written in batches (and published as one event each), at most every FLUSH_MS. */
  const pendingLines = new Map<string, { source: 'app' | 'lvlup'; line: string; at: Date }[]>();
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = async () => {
    flushTimer = undefined;
    const batches = [...pendingLines];
    pendingLines.clear();
    for (const [id, lines] of batches) {
      try {
        const rows = await appendLogLines(orm, id, lines, settings.logLines);
        await publishDeploymentEvent(events, 'deployment.log', id, { lines: rows.map(presentLogLine) }, settings.log);
      } catch (error) {
        // The deployment was deleted meanwhile (its log went with it), or the database is away for a moment.
        settings.log.warn({ err: error, deployment_id: id }, 'could not store deployment log lines');
      }
    }
  };
  const logLine = (id: string, source: 'app' | 'lvlup', line: string) => {
    const lines = pendingLines.get(id) ?? [];
    lines.push({ source, line, at: now() });
    pendingLines.set(id, lines);
    flushTimer ??= setTimeout(() => void flush(), FLUSH_MS);
  };

  const launch = (deployment: Deployment) => {
    const abort = new AbortController();
    const owner = { ownerId, generation: deployment.generation };
    const done = runInstance(
      {
        deployment,
        repositoryFolder: projectFolder(settings.dataDirectory, deployment.projectId),
        sandbox: settings.sandbox,
        packageCache: settings.packageCache,
        timings: settings.timings,
        now,
        report: {
          status: async (changes) => {
            if (abort.signal.aborted) return false;
            const row = await updateOwnedDeployment(orm, deployment.id, owner, { ...changes, updatedAt: now() });
            if (!row) return false;
            if (changes.status) {
              await publishDeploymentEvent(
                events,
                `deployment.${changes.status}`,
                deployment.id,
                {
                  project_id: row.projectId,
                  status: row.status,
                  generation: row.generation,
                  commit: row.commit,
                  port: row.port,
                  failure: row.failure,
                },
                settings.log,
              );
            }
            return true;
          },
          log: (source, text) => logLine(deployment.id, source, text),
          restarted: async (details) => {
            const [row] = await database.query<{ restarts: number }>(
              'update deployments set restarts = restarts + 1, updated_at = $3 where id = $1 and owner_id = $2 returning restarts',
              [deployment.id, ownerId, now()],
            );
            if (!row) return;
            settings.log.info(
              { deployment_id: deployment.id, restarts: row.restarts, ...details },
              'deployment restarted',
            );
            await publishDeploymentEvent(
              events,
              'deployment.restarted',
              deployment.id,
              { restarts: row.restarts, ...details },
              settings.log,
            );
          },
        },
      },
      abort.signal,
    ).catch((error: unknown) => settings.log.warn({ err: error, deployment_id: deployment.id }, 'deployment failed'));
    locals.set(deployment.id, { generation: deployment.generation, abort, done });
  };

  const halt = async (id: string, reason: string) => {
    const local = locals.get(id);
    if (!local) return;
    locals.delete(id);
    local.abort.abort(new Error(reason));
    await local.done;
  };

  const reconcileOnce = async () => {
    const owned = stopped
      ? []
      : await claimDeployments(orm, { ownerId, now: now(), leaseMs: settings.leaseMs, limit: 50 });
    const ownedIds = new Set(owned.map((row) => row.id));
    // Apps of deployments this process no longer owns (deleted, or a lease lost while it could not renew).
    for (const id of [...locals.keys()]) if (!ownedIds.has(id)) await halt(id, 'no longer owned');
    for (const row of owned) {
      const local = locals.get(row.id);
      if (row.desired === 'stopped') {
        await halt(row.id, 'stop requested');
        // Stopped and let go: whoever starts it again claims it afresh.
        const changed = await updateDeployment(orm, row.id, {
          status: 'stopped',
          port: null,
          startedAt: null,
          ownerId: null,
          leaseExpiresAt: null,
          updatedAt: now(),
        });
        if (changed && row.status !== 'stopped') {
          logLine(row.id, 'lvlup', 'stopped');
          await publishDeploymentEvent(events, 'deployment.stopped', row.id, { status: 'stopped' }, settings.log);
        }
        continue;
      }
      if (local && local.generation === row.generation) continue;
      if (local) await halt(row.id, 'superseded by a new request');
      if (row.status === 'failed') continue; // failed for this generation: waits for a new request
      launch(row);
    }
  };

  const reconcile = (): Promise<void> => {
    // One pass at a time; a request during a pass makes one more pass after it.
    if (pass) {
      again = true;
      return pass;
    }
    pass = (async () => {
      try {
        do {
          again = false;
          await reconcileOnce();
        } while (again && !stopped);
      } catch (error) {
        settings.log.warn({ err: error }, 'could not reconcile deployments');
      } finally {
        pass = undefined;
      }
    })();
    return pass;
  };

  return {
    ownerId,
    start() {
      unsubscribe = events.subscribe((event) => {
        if (
          event.topic.startsWith('deployments/') &&
          ['deployment.requested', 'deployment.stop_requested', 'deployment.deleted'].includes(event.type)
        ) {
          void reconcile();
        }
      });
      heartbeat = setInterval(() => void reconcile(), settings.heartbeatMs ?? Math.max(1000, settings.leaseMs / 3));
      heartbeat.unref();
      void reconcile();
    },
    reconcile,
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (heartbeat) clearInterval(heartbeat);
      await pass;
      const ids = [...locals.keys()];
      await Promise.all(ids.map((id) => halt(id, 'lvlup is stopping')));
      if (flushTimer) clearTimeout(flushTimer);
      await flush();
      // Left as they were (running, …) for the next owner, which starts them again at once.
      await releaseDeployments(orm, ownerId, ids).catch((error: unknown) =>
        settings.log.warn({ err: error }, 'could not release deployment leases'),
      );
    },
    running: () => locals.size,
  };
}

/** The deployment as stored now (for callers that hold only an id). */
export const readDeployment = (database: Database, id: string) => findDeployment(database.orm, id);
