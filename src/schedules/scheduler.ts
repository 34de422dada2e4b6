import type { AgentRegistry } from '../tasks/agent-registry.js';
import type { Database } from '../db/database.js';
import type { Submission, TaskQueue } from '../tasks/task-queue.js';
import { findAgentByName } from '../tasks/task-store.js';
import { followingRunAt } from './next-run.js';
import {
  advanceSchedule,
  cadenceOf,
  databaseNow,
  dueSchedules,
  recordScheduledTask,
  SCHEDULES_CHANNEL,
  type ScheduleRow,
} from './schedule-store.js';

export interface SchedulerLog {
  warn(object: unknown, message: string): void;
  error(object: unknown, message: string): void;
}

export interface SchedulerOptions {
  readonly database: Database;
  readonly registry: AgentRegistry;
  readonly queue: TaskQueue;
  readonly log: SchedulerLog;
  /** how often due schedules are looked for without a wake-up; 1 s unless given */
  readonly tickMs?: number;
  /** what waits `tickMs` between ticks: the real clock unless given (tests move one by hand) */
  readonly timer?: SchedulerTimer;
}

/** Calls back once after a delay; answers how to cancel that. */
export interface SchedulerTimer {
  after(milliseconds: number, callback: () => void): () => void;
}

const realTimer: SchedulerTimer = {
  after(milliseconds, callback) {
    const timeout = setTimeout(callback, milliseconds);
    return () => clearTimeout(timeout);
  },
};

/** A period's run that this scheduler enqueued. */
export interface ScheduledRun {
  readonly agentType: string;
  readonly periodStart: Date;
  readonly taskId: string;
  /** false when a task with the period's idempotency key already existed (nothing was enqueued) */
  readonly created: boolean;
}

export const scheduleIdempotencyKey = (agentType: string, periodStart: Date) =>
  `schedule:${agentType}:${periodStart.toISOString()}`;

/**
 * Turns schedules into tasks (trigger `schedule`). Every process that runs workers runs one; they share
 * the `schedules` rows, and each period still runs once in all (see `runPeriod`).
 */
export function createScheduler(options: SchedulerOptions) {
  const { database, registry, queue, log } = options;
  const tickMs = options.tickMs ?? 1000;
  const timer = options.timer ?? realTimer;
  const cleanups: (() => Promise<void>)[] = [];
  /** the period start whose refusal was last logged, per agent, so a refusal is logged once per period */
  const refusalsLogged = new Map<string, number>();
  let stopped = true;
  let cancelTimer: (() => void) | undefined;
  let ticking: Promise<void> | undefined;
  let tickAgain = false;
  let lastFailureLogged = 0;

  /** A database hiccup must not stop the scheduler: the next tick tries again. Logged every 10 s at most. */
  const logFailure = (fields: Record<string, unknown>, message: string) => {
    if (Date.now() - lastFailureLogged < 10_000) return;
    lastFailureLogged = Date.now();
    log.error(fields, message);
  };

  /**
   * Enqueues the run of the period that started at `seen.nextRunAt`, unless another process (or another
   * scheduler in this one) got there first.
   *
   * The race: every process ticks every second, so several of them read the same due row at about the
   * same moment, each one a candidate for enqueuing the same period. Exactly one may. The winner is the
   * one whose conditional update moves next_run_at forward: `update … where agent_type = $t and
   * next_run_at = $seen and enabled (and the cadence is still the one read)`. PostgreSQL makes the
   * others' identical updates wait on the row lock the winner's update holds; when the winner commits, a
   * waiting update re-checks its WHERE against the committed row (READ COMMITTED re-evaluation), finds
   * next_run_at no longer equal to what it saw, and updates nothing, so that process enqueues nothing.
   * If the winner rolls back instead, the row is unchanged and one of the waiting updates wins. PGlite
   * runs one transaction at a time, so there the losers simply read the moved row. A PATCH locks the row
   * the same way and changes next_run_at, enabled or the cadence, so a run read before a PATCH and
   * written after it does not happen either.
   *
   * The task is inserted in the same transaction as the move, so there is never a moved schedule without
   * its task (a crash between the two rolls both back) nor a task whose period was not claimed. Second
   * guarantee: the task's idempotency key names the agent and the period start, and tasks have a unique
   * index on it, so even a bug in the first would insert nothing for a period already enqueued
   * (`created: false`, which the tests assert never happens).
   *
   * Period starts are computed from the database's clock (`now()`), so processes with skewed clocks agree
   * on what is due; when periods were missed (every process down), the next period start is the first
   * one after now: one run, no burst of catch-up runs.
   */
  async function runPeriod(seen: ScheduleRow): Promise<ScheduledRun | undefined> {
    const submission: Submission = {
      agentType: seen.agentType,
      input: {},
      trigger: 'schedule',
      idempotencyKey: scheduleIdempotencyKey(seen.agentType, seen.nextRunAt),
    };
    try {
      queue.validate(submission);
    } catch (error) {
      // An agent whose input has required fields cannot be run by a schedule. The row stays due, so a
      // release that fixes the agent runs it; the refusal is logged once per period, not every tick.
      if (refusalsLogged.get(seen.agentType) !== seen.nextRunAt.getTime()) {
        refusalsLogged.set(seen.agentType, seen.nextRunAt.getTime());
        log.error({ err: error, agentType: seen.agentType }, 'a scheduled run was refused by its agent');
      }
      return undefined;
    }
    const result = await database.orm.transaction(async (transaction) => {
      const next = followingRunAt(cadenceOf(seen), seen.nextRunAt, await databaseNow(transaction));
      if (!(await advanceSchedule(transaction, seen, next))) return undefined;
      // A paused agent's period passes without a run, as a disabled schedule's would: runs do not pile
      // up while it is paused, and the next period after it is resumed runs as usual.
      const agent = await findAgentByName(transaction, seen.agentType);
      if (agent?.status === 'paused') return undefined;
      const submitted = await queue.submitWithin(transaction, submission, agent);
      await recordScheduledTask(transaction, seen.agentType, submitted.task.id);
      return submitted;
    });
    if (!result) return undefined;
    await queue.announce(result);
    return {
      agentType: seen.agentType,
      periodStart: seen.nextRunAt,
      taskId: result.task.id,
      created: result.created,
    };
  }

  /** Enqueues every due period's run that this scheduler wins; answers those runs. */
  async function tick(): Promise<ScheduledRun[]> {
    const due = await dueSchedules(
      database.orm,
      registry.listScheduled().map((definition) => definition.type),
    );
    const runs: ScheduledRun[] = [];
    for (const row of due) {
      try {
        const run = await runPeriod(row);
        if (run) runs.push(run);
      } catch (error) {
        logFailure({ err: error, agentType: row.agentType }, 'could not enqueue a scheduled run');
      }
    }
    return runs;
  }

  function later() {
    cancelTimer?.();
    cancelTimer = stopped ? undefined : timer.after(tickMs, () => void loop());
  }

  /** One tick now; a wake-up during a tick makes it go round again. */
  async function loop(): Promise<void> {
    if (stopped) return;
    if (ticking) {
      tickAgain = true;
      return;
    }
    cancelTimer?.();
    cancelTimer = undefined;
    ticking = (async () => {
      do {
        tickAgain = false;
        try {
          await tick();
        } catch (error) {
          logFailure({ err: error }, 'could not read the schedules');
        }
      } while (tickAgain && !stopped);
    })();
    await ticking;
    ticking = undefined;
    later();
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      // Another process's PATCH; this process's own routes call wake() directly as well.
      cleanups.push(await database.listen(SCHEDULES_CHANNEL, () => void loop()));
      void loop();
    },
    /** Stops ticking and waits for a tick under way, so no transaction outlives the scheduler. */
    async stop() {
      if (stopped) return;
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
      for (const cleanup of cleanups.splice(0)) await cleanup();
      await ticking;
    },
    /** Looks for due schedules now instead of at the next tick (a schedule was changed). */
    wake() {
      void loop();
    },
    tick,
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
