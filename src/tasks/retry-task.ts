import { findAgent } from './task-store.js';
import type { Database } from '../db/database.js';
import { AgentNotRegisteredError, InvalidTaskInputError, UnknownAgentError, type TaskQueue } from './task-queue.js';
import { clearDeadLetter, findTaskForUpdate } from './task-queries.js';
import type { TaskRow, TaskStatus } from './task-store.js';

export const RETRYABLE_STATUSES: readonly TaskStatus[] = ['failed', 'cancelled'];

/** Only a failed or cancelled task can be retried by hand. */
export class TaskNotRetryableError extends Error {
  readonly code = 'task_not_retryable';
  constructor(readonly task: TaskRow) {
    super(`Task ${task.id} is ${task.status}; only failed or cancelled tasks can be retried.`);
    this.name = 'TaskNotRetryableError';
  }
}

/** A task is retried once; a retry that fails again is retried in its turn. */
export class AlreadyRetriedError extends Error {
  readonly code = 'already_retried';
  constructor(
    readonly taskId: string,
    readonly retryId: string,
  ) {
    super(`Task ${taskId} was retried already as task ${retryId}; retry that one instead.`);
    this.name = 'AlreadyRetriedError';
  }
}

/** The task's stored input no longer matches its agent's input schema (the schema changed since). */
export class InputNoLongerValidError extends Error {
  readonly code = 'input_no_longer_valid';
  constructor(
    readonly taskId: string,
    reason: string,
  ) {
    super(`The task's stored input no longer matches its agent's input schema: ${reason}`);
    this.name = 'InputNoLongerValidError';
  }
}

/** A refusal of the queue, told as what it means for a retry: the task exists, its agent or input went stale. */
function asRetryRefusal(taskId: string, error: unknown): unknown {
  if (error instanceof InvalidTaskInputError) return new InputNoLongerValidError(taskId, error.message);
  if (error instanceof UnknownAgentError) return new AgentNotRegisteredError(error.agentType);
  return error;
}

/**
 * Runs a failed or cancelled task again as a new task (`trigger: retry`, `retry_of` the old one) with the
 * same agent, input and priority, and takes the old one out of the dead letters, in one transaction. The
 * old task's row is locked, and the new task carries the idempotency key `retry:<old id>`, so concurrent
 * retries of one task create exactly one. Answers undefined when there is no such task.
 */
export async function retryTask(
  database: Database,
  queue: TaskQueue,
  taskId: string,
  createdBy: string,
): Promise<TaskRow | undefined> {
  const submitted = await database.orm.transaction(async (transaction) => {
    const old = await findTaskForUpdate(transaction, taskId);
    if (!old) return undefined;
    if (!RETRYABLE_STATUSES.includes(old.status)) throw new TaskNotRetryableError(old);
    const agent = await findAgent(transaction, old.agentId);
    const result = await queue
      .submitWithin(
        transaction,
        {
          agentType: old.agentType,
          input: old.input,
          trigger: 'retry',
          retryOf: old.id,
          createdBy,
          priority: old.priority,
          idempotencyKey: `retry:${old.id}`,
        },
        agent,
      )
      .catch((error: unknown) => {
        throw asRetryRefusal(old.id, error);
      });
    if (!result.created) throw new AlreadyRetriedError(old.id, result.task.id);
    if (old.deadLetter) await clearDeadLetter(transaction, old.id);
    return result;
  });
  if (!submitted) return undefined;
  await queue.announce(submitted);
  return submitted.task;
}
