import { and, asc, count, desc, eq, gt, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { taskLogAttempts, taskLogs, tasks } from '../db/schema.js';
import type { TaskRow, TaskStatus, TaskTrigger } from './task-store.js';

export interface TaskFilter {
  readonly agentType?: string | undefined;
  readonly agentId?: string | undefined;
  readonly statuses?: readonly TaskStatus[] | undefined;
  readonly trigger?: TaskTrigger | undefined;
  readonly deadLetter?: boolean | undefined;
  readonly retryOf?: string | undefined;
  readonly createdAfter?: Date | undefined;
  readonly createdBefore?: Date | undefined;
  readonly limit: number;
  readonly skip: number;
}

/** Tasks matching every given filter, newest first, with the total for paging. */
export async function listTasks(orm: Orm, filter: TaskFilter): Promise<{ rows: TaskRow[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.agentType) conditions.push(eq(tasks.agentType, filter.agentType));
  if (filter.agentId) conditions.push(eq(tasks.agentId, filter.agentId));
  if (filter.statuses?.length) conditions.push(inArray(tasks.status, [...filter.statuses]));
  if (filter.trigger) conditions.push(eq(tasks.trigger, filter.trigger));
  if (filter.deadLetter !== undefined) conditions.push(eq(tasks.deadLetter, filter.deadLetter));
  if (filter.retryOf) conditions.push(eq(tasks.retryOf, filter.retryOf));
  if (filter.createdAfter) conditions.push(gte(tasks.createdAt, filter.createdAfter));
  if (filter.createdBefore) conditions.push(lt(tasks.createdAt, filter.createdBefore));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    orm
      .select()
      .from(tasks)
      .where(where)
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(filter.limit)
      .offset(filter.skip),
    orm.select({ total: count() }).from(tasks).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}

export type TaskLogRow = typeof taskLogs.$inferSelect;

/** Up to `limit` log lines of a task after the line `after` (a log id), oldest first, and whether more follow. */
export async function taskLogPage(
  orm: Orm,
  taskId: string,
  after: number | undefined,
  limit: number,
): Promise<{ rows: TaskLogRow[]; hasMore: boolean }> {
  const rows = await orm
    .select()
    .from(taskLogs)
    .where(and(eq(taskLogs.taskId, taskId), after === undefined ? undefined : gt(taskLogs.id, after)))
    .orderBy(asc(taskLogs.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** Lines kept and dropped by each attempt of a task that logged anything, first attempt first. */
export async function logCountsByAttempt(
  orm: Orm,
  taskId: string,
): Promise<{ attempt: number; lines: number; dropped: number }[]> {
  return orm
    .select({ attempt: taskLogAttempts.attempt, lines: taskLogAttempts.lines, dropped: taskLogAttempts.dropped })
    .from(taskLogAttempts)
    .where(eq(taskLogAttempts.taskId, taskId))
    .orderBy(asc(taskLogAttempts.attempt));
}

/** A task with its row locked until the transaction ends. */
export async function findTaskForUpdate(transaction: Orm, id: string): Promise<TaskRow | undefined> {
  const [row] = await transaction.select().from(tasks).where(eq(tasks.id, id)).for('update');
  return row;
}

export async function clearDeadLetter(orm: Orm, id: string): Promise<void> {
  await orm
    .update(tasks)
    .set({ deadLetter: false, updatedAt: sql`now()` })
    .where(eq(tasks.id, id));
}
