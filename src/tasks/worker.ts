import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AnyAgentDefinition, LogLevel, TaskContext } from './agent-definition.js';
import type { AgentRegistry } from './agent-registry.js';
import { withCallOptions, type Compute } from '../compute/compute.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffSettings } from './backoff.js';
import {
  asTaskFailure,
  LeaseLostError,
  TaskCancelledError,
  TaskInputError,
  TaskTimeoutError,
  WorkerStoppingError,
  type TaskFailure,
} from './task-errors.js';
import { publishAgentEvent, publishTaskDetail, publishTaskEvent } from './task-events.js';
import type { TaskQueue } from './task-queue.js';
import {
  appendLog,
  CANCEL_CHANNEL,
  claimTasks,
  finishTask,
  pendingWork,
  recoverExpiredLeases,
  renewLeases,
  setProgress,
  settleAgent,
  TASKS_CHANNEL,
  type AgentRow,
  type Outcome,
  type TaskRow,
} from './task-store.js';

export interface WorkerLog {
  debug(object: unknown, message: string): void;
  info(object: unknown, message: string): void;
  warn(object: unknown, message: string): void;
  error(object: unknown, message: string): void;
}

/** Hooks for the task metrics (src/tasks/task-metrics.ts); every one optional. */
export interface WorkerObserver {
  finished?(agentType: string, outcome: Outcome['status'], durationSeconds: number): void;
}

export interface WorkerOptions {
  readonly database: Database;
  readonly events: EventBus;
  readonly registry: AgentRegistry;
  readonly queue: TaskQueue;
  readonly config: Config;
  /** where the tasks' CPU-heavy work runs (the process's compute pool) */
  readonly compute: Compute;
  readonly log: WorkerLog;
  /** tasks this process runs at once, over all agents */
  readonly concurrency: number;
  /** a running task's lease; renewed every third of it, and taken over by others once expired */
  readonly leaseSeconds: number;
  /** how often the queue is checked without a wake-up (lost NOTIFY, backoffs, other processes' pauses) */
  readonly pollIntervalMs?: number;
  /** how long an aborted handler may take to stop before its task is written off */
  readonly abortGraceMs?: number;
  readonly backoff?: BackoffSettings;
  /** log lines one attempt keeps (TASK_LOG_LINE_LIMIT unless a test wants a small one) */
  readonly logLineLimit?: number;
  readonly random?: () => number;
  readonly owner?: string;
  readonly observer?: WorkerObserver;
}

interface RunningTask {
  readonly row: TaskRow;
  readonly controller: AbortController;
  readonly started: number;
}

/**
 * The consumer side of the queue: claims runnable tasks under a lease, runs their agent's handler with an
 * abort signal, renews leases while they run, and records each outcome. Every process that runs workers
 * also recovers tasks whose worker died (expired leases), so a killed process's tasks are retried or
 * failed by whichever process is alive, including the restarted one.
 */
export function createWorker(options: WorkerOptions) {
  const { database, events, registry, queue, config, log } = options;
  const orm = database.orm;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const abortGraceMs = options.abortGraceMs ?? 5000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const running = new Map<string, RunningTask>();
  /** per agent id, this process's tasks whose outcome is not written yet */
  const unfinished = new Map<string, number>();
  const cleanups: (() => unknown)[] = [];
  let stopped = true;
  let pumping = false;
  let pumpAgain = false;
  let nextRunTimer: NodeJS.Timeout | undefined;
  let lastPumpError = 0;

  const announceAgent = (agent: AgentRow | undefined) => {
    if (agent) void publishAgentEvent(events, 'agent.status_changed', agent, log);
  };

  const scheduleNextRun = (at: Date | undefined) => {
    clearTimeout(nextRunTimer);
    if (!at || stopped) return;
    const delay = Math.max(0, at.getTime() - Date.now());
    if (delay > pollIntervalMs) return;
    nextRunTimer = setTimeout(() => void pump(), delay + 5);
  };

  /** Claims as much runnable work as there are free slots. Calls arriving meanwhile make it go round again. */
  async function pump(): Promise<void> {
    if (stopped) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        if (running.size >= options.concurrency) break;
        const { dueAgents, nextRunAt } = await pendingWork(orm);
        scheduleNextRun(nextRunAt);
        // Per agent row: declarative agents share their type, each with its own row and concurrency.
        for (const { agentType, agentId } of dueAgents) {
          const definition = registry.get(agentType);
          const slots = options.concurrency - running.size;
          if (!definition || slots <= 0 || stopped) continue;
          const { claimed, agentChanged } = await claimTasks(orm, {
            agentType,
            agentId,
            owner,
            slots,
            concurrency: definition.concurrency,
            leaseSeconds: options.leaseSeconds,
          });
          announceAgent(agentChanged);
          for (const row of claimed) start(definition, row);
        }
      } while (pumpAgain && !stopped);
    } catch (error) {
      // A database hiccup must not stop the worker; the poll tries again. Logged at most every 10 s.
      if (Date.now() - lastPumpError > 10_000) {
        lastPumpError = Date.now();
        log.error({ err: error }, 'could not claim tasks');
      }
    } finally {
      pumping = false;
    }
  }

  function start(definition: AnyAgentDefinition, row: TaskRow) {
    const entry: RunningTask = { row, controller: new AbortController(), started: performance.now() };
    running.set(row.id, entry);
    unfinished.set(row.agentId, (unfinished.get(row.agentId) ?? 0) + 1);
    void execute(definition, entry)
      .catch((error: unknown) => {
        log.error({ err: error, taskId: row.id }, 'could not record a task outcome');
        return undefined;
      })
      .then(async (outcome) => {
        const left = (unfinished.get(row.agentId) ?? 1) - 1;
        if (left > 0) unfinished.set(row.agentId, left);
        else {
          unfinished.delete(row.agentId);
          // This process's last task of the agent has been written: the status may change now.
          const changed = await settleAgent(orm, row.agentId, outcome?.status === 'failed').catch((error: unknown) => {
            log.error({ err: error, agentId: row.agentId }, 'could not settle an agent status');
            return undefined;
          });
          announceAgent(changed);
        }
        // Only now is the slot free: stop() waits for this, so no settle outlives the worker.
        running.delete(row.id);
        void pump();
      });
  }

  async function execute(definition: AnyAgentDefinition, entry: RunningTask) {
    const { row, controller } = entry;
    await publishTaskEvent(events, 'task.started', row, log);
    const timeout = setTimeout(
      () => controller.abort(new TaskTimeoutError(row.timeoutSeconds)),
      row.timeoutSeconds * 1000,
    );
    let outcome: Outcome;
    let failure: TaskFailure | undefined;
    try {
      const parsed = definition.inputSchema.safeParse(row.input);
      if (!parsed.success) throw new TaskInputError(parsed.error.issues.map((issue) => issue.message).join('; '));
      const result = await settleOrAbandon(definition.run(context(row, parsed.data, controller.signal)), controller);
      if (controller.signal.aborted) throw controller.signal.reason;
      outcome = { status: 'succeeded', result };
    } catch (error) {
      failure = asTaskFailure(controller.signal.aborted ? controller.signal.reason : error);
      outcome = decide(failure, row);
    } finally {
      clearTimeout(timeout);
    }
    // Another worker owns the task now; whatever this one found out is not written.
    if (failure instanceof LeaseLostError) return undefined;
    const task = await finishTask(orm, row, owner, outcome);
    if (!task) return undefined;
    options.observer?.finished?.(row.agentType, outcome.status, (performance.now() - entry.started) / 1000);
    const type = outcome.status === 'released' ? 'task.released' : `task.${outcome.status}`;
    await publishTaskEvent(events, type as `task.${string}`, task, log);
    if (outcome.status === 'retrying' || outcome.status === 'released') scheduleNextRun(task.runAt);
    return outcome;
  }

  /**
   * A handler that ignores its abort signal cannot be stopped from outside (it is not a process); after
   * the grace period its task is written off and its eventual result dropped. Agents that run commands
   * pass the signal to the child process, which is killed with its tree.
   */
  function settleOrAbandon<T>(work: Promise<T>, controller: AbortController): Promise<T> {
    work.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        graceTimer = setTimeout(() => reject(controller.signal.reason as Error), abortGraceMs);
      };
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          clearTimeout(graceTimer);
          controller.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(graceTimer);
          controller.signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  function decide(failure: TaskFailure, row: TaskRow): Outcome {
    if (failure instanceof TaskCancelledError) {
      return { status: 'cancelled', code: failure.code, message: failure.message };
    }
    if (failure instanceof WorkerStoppingError) {
      return { status: 'released', code: failure.code, message: failure.message };
    }
    if (failure.retryable && row.attempts < row.maxAttempts) {
      return {
        status: 'retrying',
        code: failure.code,
        message: failure.message,
        delayMs: retryDelayMs(row.attempts, backoff, random),
      };
    }
    return { status: 'failed', code: failure.code, message: failure.message, deadLetter: true };
  }

  function context<Input>(row: TaskRow, input: Input, signal: AbortSignal): TaskContext<Input> {
    return {
      task: { id: row.id, agentId: row.agentId, attempt: row.attempts, trigger: row.trigger },
      input,
      signal,
      database,
      config,
      events,
      // Bound to this task: cancelling it stops its compute work, which waits for a thread rather than
      // being refused when requests fill the queue (a process runs at most `concurrency` tasks).
      compute: withCallOptions(options.compute, { signal, background: true }),
      tasks: options.queue,
      async progress(percent) {
        const value = Math.max(0, Math.min(100, Math.round(percent)));
        await setProgress(orm, row.id, owner, value);
        await publishTaskDetail(events, 'task.progress', row.id, { progress: value }, log);
      },
      async log(level: LogLevel, message: string) {
        const kept = await appendLog(
          orm,
          { taskId: row.id, attempt: row.attempts, level, message },
          options.logLineLimit,
        );
        if (kept) {
          await publishTaskDetail(
            events,
            'task.log',
            row.id,
            { id: kept.id, level, message, attempt: row.attempts, at: kept.at.toISOString() },
            log,
          );
        }
      },
    };
  }

  const abortLocal = (taskId: string, reason: TaskFailure) => {
    const entry = running.get(taskId);
    if (entry && !entry.controller.signal.aborted) entry.controller.abort(reason);
  };

  async function renew() {
    const ids = [...running.keys()];
    if (ids.length === 0) return;
    const held = await renewLeases(orm, owner, ids, options.leaseSeconds);
    const heldIds = new Set(held.map((task) => task.id));
    for (const id of ids) {
      // A task that finished between reading the ids and renewing is not running here any more.
      if (!heldIds.has(id) && running.has(id)) abortLocal(id, new LeaseLostError());
    }
    for (const task of held) if (task.cancelRequested) abortLocal(task.id, new TaskCancelledError());
  }

  async function recover() {
    const recovered = await recoverExpiredLeases(orm, (attempt) => retryDelayMs(attempt, backoff, random));
    for (const { task, outcome, agentChanged } of recovered) {
      log.warn({ taskId: task.id, agentType: task.agentType, outcome: outcome.status }, 'recovered an abandoned task');
      announceAgent(agentChanged);
      await publishTaskEvent(events, `task.${outcome.status}`, task, log);
    }
    if (recovered.some(({ outcome }) => outcome.status === 'retrying')) void pump();
  }

  const every = (milliseconds: number, work: () => Promise<void>, what: string) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      work()
        .catch((error: unknown) => log.error({ err: error }, `${what} failed`))
        .finally(() => {
          busy = false;
        });
    }, milliseconds);
    cleanups.push(() => clearInterval(timer));
  };

  return {
    owner,
    async start() {
      if (!stopped) return;
      stopped = false;
      cleanups.push(queue.onWake(() => void pump()));
      cleanups.push(queue.onCancel((taskId) => abortLocal(taskId, new TaskCancelledError())));
      cleanups.push(await database.listen(TASKS_CHANNEL, () => void pump()));
      cleanups.push(await database.listen(CANCEL_CHANNEL, (taskId) => abortLocal(taskId, new TaskCancelledError())));
      every(pollIntervalMs, pump, 'polling the queue');
      every(Math.max(200, (options.leaseSeconds * 1000) / 3), renew, 'renewing task leases');
      every(Math.max(500, (options.leaseSeconds * 1000) / 2), recover, 'recovering abandoned tasks');
      await recover().catch((error: unknown) => log.error({ err: error }, 'recovering abandoned tasks failed'));
      void pump();
    },
    /**
     * Stops claiming, lets running tasks finish for up to `timeoutMs`, then aborts the rest; those go back
     * to the queue without using up an attempt.
     */
    async stop(timeoutMs = 10_000) {
      if (stopped) return;
      stopped = true;
      clearTimeout(nextRunTimer);
      for (const cleanup of cleanups.splice(0)) await cleanup();
      const deadline = Date.now() + timeoutMs;
      while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      for (const id of running.keys()) abortLocal(id, new WorkerStoppingError());
      const hardDeadline = Date.now() + abortGraceMs + 1000;
      while (running.size > 0 && Date.now() < hardDeadline) await new Promise((resolve) => setTimeout(resolve, 25));
    },
    /** Runs one claim round now (tests, benchmarks). */
    pump,
    status() {
      return { running: !stopped, active_tasks: running.size, concurrency: options.concurrency, owner };
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
