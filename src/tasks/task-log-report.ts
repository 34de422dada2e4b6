import type { Orm } from '../db/database.js';
import { requireTask } from './require-task.js';
import { logCountsByAttempt, taskLogPage } from './task-queries.js';

/**
 * A page of a task's log lines after the line `after` (oldest first), with the task and its lines kept
 * and dropped per attempt. An unknown task is a `TaskNotFoundError`.
 */
export async function taskLogReport(orm: Orm, taskId: string, after: number | undefined, limit: number) {
  const task = await requireTask(orm, taskId);
  const [page, attempts] = await Promise.all([
    taskLogPage(orm, task.id, after, limit),
    logCountsByAttempt(orm, task.id),
  ]);
  return { task, page, attempts };
}
