import type { Orm } from '../db/database.js';
import { findTask, type TaskRow } from './task-store.js';

/** No task has the id (404 `not_found`, as for the other objects without a code of their own). */
export class TaskNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly taskId: string) {
    super(`No task ${taskId}`);
    this.name = 'TaskNotFoundError';
  }
}

/** The task with this id, or a `TaskNotFoundError`. */
export async function requireTask(orm: Orm, id: string): Promise<TaskRow> {
  const task = await findTask(orm, id);
  if (!task) throw new TaskNotFoundError(id);
  return task;
}
