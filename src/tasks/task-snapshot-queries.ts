import { desc, eq } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { taskLogs } from '../db/schema.js';
import { findTask, type TaskRow } from './task-store.js';

/** One log line as a snapshot carries it: the same fields as a `task.log` event's data. */
export interface SnapshotLogLine {
  readonly id: number;
  readonly attempt: number;
  readonly level: (typeof taskLogs.$inferSelect)['level'];
  readonly message: string;
  readonly at: string;
}

/** The latest `limit` log lines of a task, oldest first. */
export async function latestTaskLogs(orm: Orm, taskId: string, limit: number): Promise<SnapshotLogLine[]> {
  const rows = await orm
    .select()
    .from(taskLogs)
    .where(eq(taskLogs.taskId, taskId))
    .orderBy(desc(taskLogs.id))
    .limit(limit);
  return rows.reverse().map((row) => ({
    id: row.id,
    attempt: row.attempt,
    level: row.level,
    message: row.message,
    at: row.at.toISOString(),
  }));
}

/** A task with its latest `logLines` log lines, or undefined when there is no such task. */
export async function taskSnapshot(
  orm: Orm,
  taskId: string,
  logLines: number,
): Promise<{ task: TaskRow; logs: SnapshotLogLine[] } | undefined> {
  const task = await findTask(orm, taskId);
  if (!task) return undefined;
  return { task, logs: await latestTaskLogs(orm, taskId, logLines) };
}
