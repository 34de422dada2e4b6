import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Principal } from '../../../../accounts/principal.js';
import { findMissingReference } from '../../../../agents/input-references.js';
import { asTaskProblem, type SubmissionContext } from '../../../../tasks/errors-to-problems.js';
import type { AgentRow, TaskRow } from '../../../../tasks/task-store.js';
import { conflict, HttpProblem } from '../../../problem.js';
import type { Services } from '../../../types.js';

/** Headers of the routes that start a task; other headers pass through untouched. */
export const submissionHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional()
    .describe('repeating a request with the same key (per agent type) answers 200 with the task the first one created'),
});

export interface ManualSubmission {
  readonly agentType: string;
  /** the agent's row when the client named it by id */
  readonly agent?: AgentRow | undefined;
  readonly input: Record<string, unknown>;
  readonly priority?: number | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly context: SubmissionContext;
}

export const taskLocation = (task: TaskRow) => `/api/v1/tasks/${task.id}`;

/**
 * Enqueues a task a person asked for. With an idempotency key (namespaced `api:<agent type>:<key>`), a
 * repeat answers the existing task and `created: false`; a repeat whose input or priority differs is
 * refused with 409 `idempotency_key_reused`, as the key would otherwise hide that the request was ignored.
 */
export async function submitManualTask(
  services: Services,
  principal: Principal,
  submission: ManualSubmission,
): Promise<{ task: TaskRow; created: boolean }> {
  let result: { task: TaskRow; created: boolean };
  try {
    services.tasks.validate({ agentType: submission.agentType, input: submission.input, trigger: 'manual' });
  } catch (error) {
    throw asTaskProblem(error, submission.context);
  }
  // Schema-valid input may still name a repository (proposal, experiment) that does not exist: 404 now,
  // rather than a 202 whose task fails later.
  const missing = await findMissingReference(services.database.orm, submission.input);
  if (missing) {
    throw new HttpProblem(404, `${missing.kind}_not_found`, 'Not Found', `No ${missing.kind} ${missing.id}.`, {
      errors: [{ field: `${submission.context.inputField}.${missing.field}`, message: `names no ${missing.kind}` }],
    });
  }
  try {
    result = await services.tasks.submit(
      {
        agentType: submission.agentType,
        input: submission.input,
        trigger: 'manual',
        createdBy: principal.label,
        priority: submission.priority,
        idempotencyKey: submission.idempotencyKey
          ? `api:${submission.agentType}:${submission.idempotencyKey}`
          : undefined,
      },
      submission.agent,
    );
  } catch (error) {
    throw asTaskProblem(error, submission.context);
  }
  if (!result.created) {
    const definition = services.agents.get(submission.agentType)!;
    const input = JSON.parse(JSON.stringify(definition.inputSchema.parse(submission.input))) as unknown;
    const same =
      isDeepStrictEqual(input, result.task.input) &&
      (submission.priority ?? 0) === result.task.priority &&
      (submission.agent === undefined || submission.agent.id === result.task.agentId);
    if (!same) {
      throw conflict(
        'idempotency_key_reused',
        `The Idempotency-Key was used for task ${result.task.id} with a different input or priority.`,
        { task_id: result.task.id },
      );
    }
  }
  return result;
}
