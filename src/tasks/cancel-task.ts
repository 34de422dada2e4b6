import type { Orm } from '../db/database.js';
import { requireTask } from './require-task.js';
import type { TaskQueue } from './task-queue.js';
import type { TaskRow } from './task-store.js';

/** The task is over (succeeded, failed or cancelled already): there is nothing to cancel. */
export class TaskFinishedError extends Error {
  readonly code = 'task_finished';
  constructor(
    readonly taskId: string,
    readonly task: TaskRow,
  ) {
    super(`Task ${taskId} is already ${task.status}.`);
    this.name = 'TaskFinishedError';
  }
}

/**
 * Cancels a waiting task, or asks the worker running it to abort (the row answered is then still
 * `running`, with its cancel requested). A finished task is a `TaskFinishedError`, an unknown one a
 * `TaskNotFoundError`.
 */
export async function cancelTask(
  services: { orm: Orm; tasks: Pick<TaskQueue, 'cancel'> },
  id: string,
): Promise<TaskRow> {
  const task = await services.tasks.cancel(id);
  if (task) return task;
  throw new TaskFinishedError(id, await requireTask(services.orm, id));
}
