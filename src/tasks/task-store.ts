import { and, asc, desc, eq, inArray, isNotNull, lt, lte, ne, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agents, taskLogAttempts, taskLogs, tasks } from '../db/schema.js';

export type TaskRow = typeof tasks.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type TaskStatus = TaskRow['status'];
export type TaskTrigger = TaskRow['trigger'];

/** NOTIFY channels: a task became runnable (payload: agent type); a running task was cancelled (payload: id). */
export const TASKS_CHANNEL = 'lvlup_tasks';
export const CANCEL_CHANNEL = 'lvlup_task_cancel';

export const PENDING_STATUSES = ['queued', 'retrying'] as const;
export const FINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

export const TASK_LOG_LINE_LIMIT = 1000;
export const TASK_LOG_MESSAGE_LIMIT = 4000;

export interface NewTask {
  readonly agent: Pick<AgentRow, 'id' | 'type'>;
  readonly input: Record<string, unknown>;
  readonly trigger: TaskTrigger;
  readonly maxAttempts: number;
  readonly timeoutSeconds: number;
  readonly idempotencyKey?: string | undefined;
  readonly retryOf?: string | undefined;
  readonly createdBy?: string | undefined;
  readonly priority?: number | undefined;
}

/**
 * Inserts a task with `orm`, which may be the caller's transaction: the task then exists exactly when the
 * caller's change commits. The NOTIFY is transactional too, so workers in every process wake at commit.
 * With an idempotency key already used, answers the existing task and `created: false`.
 */
export async function insertTask(orm: Orm, task: NewTask): Promise<{ task: TaskRow; created: boolean }> {
  const [row] = await orm
    .insert(tasks)
    .values({
      agentId: task.agent.id,
      agentType: task.agent.type,
      input: task.input,
      trigger: task.trigger,
      maxAttempts: task.maxAttempts,
      timeoutSeconds: task.timeoutSeconds,
      idempotencyKey: task.idempotencyKey,
      retryOf: task.retryOf,
      createdBy: task.createdBy,
      priority: task.priority ?? 0,
    })
    .onConflictDoNothing({ target: tasks.idempotencyKey })
    .returning();
  if (row) {
    await orm.execute(sql`select pg_notify(${TASKS_CHANNEL}, ${task.agent.type})`);
    return { task: row, created: true };
  }
  const [existing] = await orm
    .select()
    .from(tasks)
    .where(eq(tasks.idempotencyKey, task.idempotencyKey ?? ''));
  if (!existing) throw new Error('A task with this idempotency key conflicted but cannot be read.');
  return { task: existing, created: false };
}

export async function findAgentByName(orm: Orm, name: string): Promise<AgentRow | undefined> {
  const [row] = await orm.select().from(agents).where(eq(agents.name, name));
  return row;
}

/**
 * Agents (by row: several declarative agents share one type) with runnable tasks now, and when the next
 * waiting one becomes runnable.
 */
export async function pendingWork(orm: Orm): Promise<{
  dueTypes: string[];
  dueAgents: { agentType: string; agentId: string }[];
  nextRunAt: Date | undefined;
}> {
  const rows = await orm
    .select({
      agentType: tasks.agentType,
      agentId: tasks.agentId,
      due: sql<boolean>`bool_or(${tasks.runAt} <= now())`,
      next: sql<string>`min(${tasks.runAt})`,
    })
    .from(tasks)
    .where(inArray(tasks.status, [...PENDING_STATUSES]))
    .groupBy(tasks.agentType, tasks.agentId);
  const future = rows.filter((row) => !row.due).map((row) => new Date(row.next).getTime());
  const dueAgents = rows.filter((row) => row.due).map(({ agentType, agentId }) => ({ agentType, agentId }));
  return {
    dueTypes: [...new Set(dueAgents.map((row) => row.agentType))],
    dueAgents,
    nextRunAt: future.length ? new Date(Math.min(...future)) : undefined,
  };
}

/**
 * Moves up to `slots` runnable tasks of one agent to `running` under this worker's lease.
 *
 * The agent's row is locked first: that serialises the claims of one agent across processes, so the
 * count of running tasks read next is exact and the agent's concurrency holds globally, and so the
 * agent's status written at the end is not overwritten by a stale decision (finishes take the same lock
 * before they decide it). SKIP LOCKED: rows a cancel or a lease recovery holds are left for later, and
 * a claim never waits on a task row while it holds the agent's.
 */
export async function claimTasks(
  orm: Orm,
  options: {
    agentType: string;
    /** the agent's row; without it, the row named after the type (a built-in agent) */
    agentId?: string | undefined;
    owner: string;
    slots: number;
    concurrency: number;
    leaseSeconds: number;
  },
): Promise<{ claimed: TaskRow[]; agentChanged: AgentRow | undefined }> {
  return orm.transaction(async (transaction) => {
    const none = { claimed: [], agentChanged: undefined };
    const which = options.agentId
      ? and(eq(agents.id, options.agentId), eq(agents.type, options.agentType))
      : eq(agents.name, options.agentType);
    const [agent] = await transaction.select().from(agents).where(which).for('update');
    if (!agent || agent.status === 'paused') return none;
    const [running] = await transaction
      .select({ count: sql<number>`count(*)::int` })
      .from(tasks)
      .where(and(eq(tasks.agentId, agent.id), eq(tasks.status, 'running')));
    const limit = Math.min(options.slots, options.concurrency - (running?.count ?? 0));
    if (limit <= 0) return none;
    const runnable = transaction
      .select({ id: tasks.id })
      .from(tasks)
      .where(
        and(eq(tasks.agentId, agent.id), inArray(tasks.status, [...PENDING_STATUSES]), lte(tasks.runAt, sql`now()`)),
      )
      .orderBy(desc(tasks.priority), asc(tasks.runAt), asc(tasks.createdAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const claimed = await transaction
      .update(tasks)
      .set({
        status: 'running',
        attempts: sql`${tasks.attempts} + 1`,
        leaseOwner: options.owner,
        leaseExpiresAt: sql`now() + make_interval(secs => ${options.leaseSeconds})`,
        startedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(inArray(tasks.id, runnable))
      .returning();
    let agentChanged: AgentRow | undefined;
    if (claimed.length > 0 && agent.status !== 'running') {
      [agentChanged] = await transaction
        .update(agents)
        .set({ status: 'running', updatedAt: sql`now()` })
        .where(eq(agents.id, agent.id))
        .returning();
    }
    return { claimed, agentChanged };
  });
}

/** Renews this worker's leases; answers, per task still held, whether someone asked to cancel it. */
export async function renewLeases(
  orm: Orm,
  owner: string,
  ids: readonly string[],
  leaseSeconds: number,
): Promise<{ id: string; cancelRequested: boolean }[]> {
  if (ids.length === 0) return [];
  const rows = await orm
    .update(tasks)
    .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where(and(inArray(tasks.id, [...ids]), eq(tasks.leaseOwner, owner), eq(tasks.status, 'running')))
    .returning({ id: tasks.id, cancelRequestedAt: tasks.cancelRequestedAt });
  return rows.map((row) => ({ id: row.id, cancelRequested: row.cancelRequestedAt !== null }));
}

export type Outcome =
  | { status: 'succeeded'; result: Record<string, unknown> }
  | { status: 'failed'; code: string; message: string; deadLetter: boolean }
  | { status: 'cancelled'; code: string; message: string }
  | { status: 'retrying'; code: string; message: string; delayMs: number }
  /** given back without counting the attempt (graceful shutdown) */
  | { status: 'released'; code: string; message: string };

/**
 * Records how this worker's attempt ended. Only the lease holder's attempt counts: a worker whose lease
 * was taken over (it stalled past the lease) finds nothing to update and its late result is dropped.
 *
 * No lock on the agent's row here: finishes are the hot path, and holding that lock through every
 * finish's commit capped one agent at a few hundred tasks a second. The agent's status is settled by
 * `settleAgent` once this process has no task of the agent left (see the worker). Claims still count
 * running tasks under the lock, and a finish only lowers that count, so concurrency limits hold.
 */
export async function finishTask(
  orm: Orm,
  task: Pick<TaskRow, 'id' | 'agentId' | 'attempts'>,
  owner: string,
  outcome: Outcome,
): Promise<TaskRow | undefined> {
  const finish = (target: Orm) =>
    target
      .update(tasks)
      .set({ ...outcomeColumns(outcome), leaseOwner: null, leaseExpiresAt: null, updatedAt: sql`now()` })
      .where(
        and(
          eq(tasks.id, task.id),
          eq(tasks.leaseOwner, owner),
          eq(tasks.status, 'running'),
          eq(tasks.attempts, task.attempts),
        ),
      )
      .returning();
  if (outcome.status === 'failed') {
    // A failure and the agent's last error commit together: whoever sees the task failed sees why the agent
    // last failed. (Failures are not the hot path; successes clear the error after, eventually.)
    return orm.transaction(async (transaction) => {
      const [failed] = await finish(transaction);
      if (failed) {
        await transaction.update(agents).set({ lastError: outcome.message }).where(eq(agents.id, task.agentId));
      }
      return failed;
    });
  }
  const [row] = await finish(orm);
  if (row && outcome.status === 'succeeded') {
    await orm
      .update(agents)
      .set({ lastError: null })
      .where(and(eq(agents.id, task.agentId), isNotNull(agents.lastError)));
  }
  return row;
}

/**
 * Decides the agent's status after this process's last task of it finished: running while tasks of it
 * run anywhere, error when the last one failed, idle otherwise. Exact across processes: the count runs
 * under the agent's row lock, in a statement that starts after the lock is granted, so it sees every
 * finish committed before; a process whose finish commits later settles again after it.
 */
export async function settleAgent(orm: Orm, agentId: string, failed: boolean): Promise<AgentRow | undefined> {
  return orm.transaction(async (transaction) => {
    await transaction.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).for('update');
    return settleAgentStatus(transaction, agentId, failed);
  });
}

function outcomeColumns(outcome: Outcome) {
  switch (outcome.status) {
    case 'succeeded':
      return {
        status: 'succeeded' as const,
        result: outcome.result,
        progress: 100,
        errorCode: null,
        errorMessage: null,
        finishedAt: sql`now()`,
      };
    case 'failed':
      return {
        status: 'failed' as const,
        errorCode: outcome.code,
        errorMessage: outcome.message,
        deadLetter: outcome.deadLetter,
        finishedAt: sql`now()`,
      };
    case 'cancelled':
      return {
        status: 'cancelled' as const,
        errorCode: outcome.code,
        errorMessage: outcome.message,
        finishedAt: sql`now()`,
      };
    case 'retrying':
      return {
        status: 'retrying' as const,
        errorCode: outcome.code,
        errorMessage: outcome.message,
        runAt: sql`now() + make_interval(secs => ${outcome.delayMs / 1000})`,
      };
    case 'released':
      return {
        status: 'queued' as const,
        attempts: sql`greatest(${tasks.attempts} - 1, 0)`,
        errorCode: outcome.code,
        errorMessage: outcome.message,
        runAt: sql`now()`,
      };
  }
}

/** The status decision itself; the caller holds the agent's row lock. Answers the agent row if it changed. */
async function settleAgentStatus(orm: Orm, agentId: string, failed: boolean): Promise<AgentRow | undefined> {
  const next = sql`(case when exists (select 1 from ${tasks} where ${tasks.agentId} = ${agentId} and ${tasks.status} = 'running') then 'running' else ${failed ? 'error' : 'idle'} end)`;
  const [changed] = await orm
    .update(agents)
    .set({ status: sql`${next}`, updatedAt: sql`now()` })
    .where(and(eq(agents.id, agentId), ne(agents.status, 'paused'), sql`${agents.status} is distinct from ${next}`))
    .returning();
  return changed;
}

/**
 * Tasks whose worker vanished (killed, crashed, partitioned) keep `running` with a lease that nobody
 * renews. Once it has expired they are retried, or failed as `interrupted` when no attempts remain, or
 * cancelled when a cancel was waiting. Every process may run this at once: each task is recovered in its
 * own transaction that, like claims and finishes, locks the agent's row before the task's (the same order
 * everywhere, so no deadlock), and re-checks the expiry under that lock.
 */
export async function recoverExpiredLeases(
  orm: Orm,
  delayMs: (attempt: number) => number,
): Promise<{ task: TaskRow; outcome: Outcome; agentChanged: AgentRow | undefined }[]> {
  const candidates = await orm
    .select({ id: tasks.id, agentId: tasks.agentId })
    .from(tasks)
    .where(and(eq(tasks.status, 'running'), lt(tasks.leaseExpiresAt, sql`now()`)))
    .orderBy(asc(tasks.leaseExpiresAt))
    .limit(100);
  const recovered: { task: TaskRow; outcome: Outcome; agentChanged: AgentRow | undefined }[] = [];
  for (const candidate of candidates) {
    const done = await orm.transaction(async (transaction) => {
      await transaction.select({ id: agents.id }).from(agents).where(eq(agents.id, candidate.agentId)).for('update');
      const [task] = await transaction
        .select()
        .from(tasks)
        .where(and(eq(tasks.id, candidate.id), eq(tasks.status, 'running'), lt(tasks.leaseExpiresAt, sql`now()`)))
        .for('update', { skipLocked: true });
      if (!task) return undefined;
      const message = 'The worker running this task stopped before it finished (its lease expired).';
      const outcome: Outcome = task.cancelRequestedAt
        ? { status: 'cancelled', code: 'cancelled', message: 'The task was cancelled.' }
        : task.attempts < task.maxAttempts
          ? { status: 'retrying', code: 'interrupted', message, delayMs: delayMs(task.attempts) }
          : { status: 'failed', code: 'interrupted', message, deadLetter: true };
      const [row] = await transaction
        .update(tasks)
        .set({ ...outcomeColumns(outcome), leaseOwner: null, leaseExpiresAt: null, updatedAt: sql`now()` })
        .where(eq(tasks.id, task.id))
        .returning();
      if (outcome.status === 'failed') {
        await transaction.update(agents).set({ lastError: outcome.message }).where(eq(agents.id, task.agentId));
      }
      const agentChanged = await settleAgentStatus(transaction, task.agentId, outcome.status === 'failed');
      return { task: row!, outcome, agentChanged };
    });
    if (done) recovered.push(done);
  }
  return recovered;
}

/**
 * Cancels a task: one that waits is cancelled at once; a running one is marked, and its worker aborts it
 * (told by NOTIFY, or at its next lease renewal). Answers undefined when the task is already over.
 */
export async function requestCancel(orm: Orm, id: string): Promise<TaskRow | undefined> {
  return orm.transaction(async (transaction) => {
    const [row] = await transaction
      .update(tasks)
      .set({
        status: sql`case when ${tasks.status} = 'running' then 'running' else 'cancelled' end`,
        errorCode: sql`case when ${tasks.status} = 'running' then ${tasks.errorCode} else 'cancelled' end`,
        errorMessage: sql`case when ${tasks.status} = 'running' then ${tasks.errorMessage} else 'The task was cancelled.' end`,
        finishedAt: sql`case when ${tasks.status} = 'running' then null else now() end`,
        cancelRequestedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, id), inArray(tasks.status, ['queued', 'retrying', 'running'])))
      .returning();
    if (row?.status === 'running') await transaction.execute(sql`select pg_notify(${CANCEL_CHANNEL}, ${id})`);
    return row;
  });
}

/** The tasks of an agent type that wait or run with `input[field]` equal to `value` (e.g. a proposal's tests). */
export async function unfinishedTasksWithInput(
  orm: Orm,
  agentType: string,
  field: string,
  value: string,
): Promise<TaskRow[]> {
  return orm
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.agentType, agentType),
        inArray(tasks.status, [...PENDING_STATUSES, 'running']),
        sql`${tasks.input} ->> ${field} = ${value}`,
      ),
    )
    .orderBy(asc(tasks.createdAt));
}

export async function setProgress(orm: Orm, id: string, owner: string, percent: number): Promise<void> {
  await orm
    .update(tasks)
    .set({ progress: percent, updatedAt: sql`now()` })
    .where(and(eq(tasks.id, id), eq(tasks.leaseOwner, owner)));
}

/**
 * Appends one log line unless this attempt of the task already has `limit` of them; then it
 * only counts the dropped line. The limit is per attempt: an attempt that timed out (and may even go on
 * logging after it was written off) cannot use up the lines of the attempt that runs after it. The
 * attempt's counter, the task's total and the line are written by one statement, so concurrent writers
 * cannot overshoot the limit. Answers the kept line, or undefined if it was dropped.
 */
export async function appendLog(
  orm: Orm,
  line: { taskId: string; attempt: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string },
  limit = TASK_LOG_LINE_LIMIT,
): Promise<{ id: number; at: Date } | undefined> {
  const message =
    line.message.length > TASK_LOG_MESSAGE_LIMIT ? `${line.message.slice(0, TASK_LOG_MESSAGE_LIMIT)}…` : line.message;
  const result = await orm.execute<{ id: number; at: string }>(sql`
    with counted as (
      insert into ${taskLogAttempts} as counter (task_id, attempt, lines) values (${line.taskId}, ${line.attempt}, 1)
      on conflict (task_id, attempt) do update set lines = counter.lines + 1
      where counter.lines < ${limit}
      returning task_id
    ), total as (
      update ${tasks} set log_lines = log_lines + 1 where id in (select task_id from counted)
    )
    insert into ${taskLogs} (task_id, attempt, level, message)
    select task_id, ${line.attempt}, ${line.level}, ${message} from counted
    returning id, at::text as at`);
  const [kept] = (result as { rows: { id: number | string; at: string }[] }).rows;
  if (kept) return { id: Number(kept.id), at: new Date(kept.at) };
  await orm.execute(sql`
    with counted as (
      update ${taskLogAttempts} set dropped = dropped + 1
      where task_id = ${line.taskId} and attempt = ${line.attempt}
    )
    update ${tasks} set logs_dropped = logs_dropped + 1 where id = ${line.taskId}`);
  return undefined;
}

export async function findTask(orm: Orm, id: string): Promise<TaskRow | undefined> {
  const [row] = await orm.select().from(tasks).where(eq(tasks.id, id));
  return row;
}

export async function findAgent(orm: Orm, id: string): Promise<AgentRow | undefined> {
  const [row] = await orm.select().from(agents).where(eq(agents.id, id));
  return row;
}
