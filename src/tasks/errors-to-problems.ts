import type { z } from 'zod';
import { conflict, HttpProblem, notFound, type FieldError } from '../server/problem.js';
import { AlreadyRetriedError, TaskNotRetryableError } from './retry-task.js';
import { InvalidTaskInputError, UnknownAgentError } from './task-queue.js';

/**
 * Zod issues of a task's input as the field errors the central error handler gives (`body.input.x`):
 * `prefix` says where the input sat in the request. An unknown key is named as its own field.
 */
export function inputFieldErrors(issues: readonly z.core.$ZodIssue[], prefix: string): FieldError[] {
  return issues.flatMap((issue) => {
    const at = [prefix, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${at}.${key}`, message: 'is not a field of this input' }));
    }
    return [{ field: at, message: issue.message }];
  });
}

export interface SubmissionContext {
  /** where the task input sat in the request, e.g. `body` or `body.input` */
  readonly inputField: string;
  /**
   * whether the agent was named by the client (an unknown one is 404) or found by id (its type is not
   * registered in this process: 409)
   */
  readonly agentNamedByClient: boolean;
}

/** Maps the task queue's refusals to problem responses; anything else passes through unchanged. */
export function asTaskProblem(error: unknown, context: SubmissionContext): unknown {
  if (error instanceof InvalidTaskInputError) {
    const errors = inputFieldErrors(error.issues, context.inputField);
    return new HttpProblem(
      400,
      'validation_failed',
      'Bad Request',
      `The input does not match the agent's input schema: ${errors.map((entry) => `${entry.field} ${entry.message}`).join('; ')}`,
      { errors },
    );
  }
  if (error instanceof UnknownAgentError) {
    return context.agentNamedByClient
      ? new HttpProblem(404, 'unknown_agent', 'Not Found', error.message)
      : conflict(
          'agent_not_registered',
          `The agent exists, but no agent of type ${error.agentType} is registered in this process, so it cannot run.`,
        );
  }
  return error;
}

/** Maps the refusals of a manual retry to problem responses. */
export function asRetryProblem(error: unknown): unknown {
  if (error instanceof TaskNotRetryableError) {
    return conflict('task_not_retryable', error.message, { current_status: error.task.status });
  }
  if (error instanceof AlreadyRetriedError)
    return conflict('already_retried', error.message, { retry_id: error.retryId });
  if (error instanceof InvalidTaskInputError) {
    return conflict(
      'input_no_longer_valid',
      `The task's stored input no longer matches its agent's input schema: ${error.message}`,
    );
  }
  return asTaskProblem(error, { inputField: 'input', agentNamedByClient: false });
}

export const taskNotFound = (id: string) => notFound(`No task ${id}`);
