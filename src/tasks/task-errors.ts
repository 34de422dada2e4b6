/**
 * How a task's run ended badly. `code` is stable and stored on the task; `retryable` decides whether the
 * queue tries again (while attempts remain) or fails the task for good, into the dead letters.
 */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

/** The task ran past its agent's timeout and was aborted. Not retried: a retry would most likely time out too. */
export class TaskTimeoutError extends TaskFailure {
  constructor(seconds: number) {
    super('timeout', `The task ran longer than its timeout of ${seconds} s and was aborted.`, false);
    this.name = 'TaskTimeoutError';
  }
}

/** Someone cancelled the task while it ran. */
export class TaskCancelledError extends TaskFailure {
  constructor() {
    super('cancelled', 'The task was cancelled.', false);
    this.name = 'TaskCancelledError';
  }
}

/** The input does not match the agent's input schema; retrying cannot help. */
export class TaskInputError extends TaskFailure {
  constructor(message: string) {
    super('invalid_input', message, false);
    this.name = 'TaskInputError';
  }
}

/** This process stopped while the task ran; it goes back to the queue. */
export class WorkerStoppingError extends TaskFailure {
  constructor() {
    super('interrupted', 'The worker running this task shut down.', true);
    this.name = 'WorkerStoppingError';
  }
}

/** Another process took the task over because this one did not renew its lease in time. */
export class LeaseLostError extends TaskFailure {
  constructor() {
    super('lease_lost', 'The worker lost its lease on the task; another worker took it over.', true);
    this.name = 'LeaseLostError';
  }
}

/** Any error a handler throws that is not a TaskFailure. */
export function asTaskFailure(error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TaskFailure('agent_error', message || 'The agent failed without a message.', true);
}
