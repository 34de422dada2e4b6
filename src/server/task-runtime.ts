import { BUILT_IN_AGENTS } from '../agents/built-in.js';
import { createAgentRegistry, ensureAgentRows, type AgentRegistry } from '../tasks/agent-registry.js';
import type { Compute } from '../compute/compute.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { createScheduler, type Scheduler } from '../schedules/scheduler.js';
import { ensureScheduleRows } from '../schedules/schedule-store.js';
import { createTaskQueue, type TaskQueue } from '../tasks/task-queue.js';
import { createWorker, type Worker, type WorkerLog, type WorkerObserver, type WorkerOptions } from '../tasks/worker.js';

export interface TaskRuntime {
  readonly registry: AgentRegistry;
  readonly queue: TaskQueue;
  /** present when this process runs workers */
  readonly worker: Worker | undefined;
  /** turns schedules into tasks; present when this process runs workers */
  readonly scheduler?: Scheduler | undefined;
  start(): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface TaskRuntimeOptions {
  readonly database: Database;
  readonly events: EventBus;
  readonly config: Config;
  /** where the tasks' CPU-heavy work runs; the caller creates and closes it (after stopping the runtime) */
  readonly compute: Compute;
  readonly log: WorkerLog;
  /** the built-in agents unless given (tests register their own) */
  readonly registry?: AgentRegistry | undefined;
  /** whether this process runs workers; settings override the configuration's */
  readonly worker?:
    boolean | Partial<Omit<WorkerOptions, 'database' | 'events' | 'registry' | 'queue' | 'log' | 'compute'>>;
  readonly observer?: WorkerObserver | undefined;
}

/**
 * Agents, the queue and (optionally) this process's worker, wired once. `lvlup serve` and `lvlup worker`
 * both build one; only what starts them differs.
 */
export function createTaskRuntime(options: TaskRuntimeOptions): TaskRuntime {
  const { database, events, config, log } = options;
  const registry = options.registry ?? createAgentRegistry(BUILT_IN_AGENTS);
  const queue = createTaskQueue({ database, events, registry, log });
  const settings = typeof options.worker === 'object' ? options.worker : {};
  const worker = options.worker
    ? createWorker({
        database,
        events,
        registry,
        queue,
        log,
        config,
        compute: options.compute,
        concurrency: config.worker.concurrency,
        leaseSeconds: config.worker.leaseSeconds,
        observer: options.observer,
        ...settings,
      })
    : undefined;
  const scheduler = options.worker ? createScheduler({ database, registry, queue, log }) : undefined;
  return {
    registry,
    queue,
    worker,
    scheduler,
    async start() {
      await ensureAgentRows(database, registry);
      await ensureScheduleRows(database.orm, registry, config);
      await worker?.start();
      await scheduler?.start();
    },
    async stop(timeoutMs) {
      await scheduler?.stop();
      await worker?.stop(timeoutMs);
    },
  };
}
