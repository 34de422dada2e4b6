import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Principal } from '../../../../accounts/principal.js';
import { findMissingReference } from '../../../../agents/input-references.js';
import { ProposalNotFoundError } from '../../../../proposals/transition.js';
import { RepositoryNotFoundError } from '../../../../repositories/repository-not-found-error.js';
import { ExperimentNotFoundError } from '../../../../sandbox/experiment-not-found-error.js';
import { AgentNotRegisteredError } from '../../../../tasks/task-queue.js';
import type { AgentRow, TaskRow } from '../../../../tasks/task-store.js';
import { conflict } from '../../../problem.js';
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

export interface SubmissionContext {
  /** where the task input sat in the request, e.g. `body` or `body.input` */
  readonly inputField: string;
  /**
   * whether the agent was named by the client (an unknown one is 404 `unknown_agent`) or is one that exists
   * (its type is not registered in this process: 409 `agent_not_registered`)
   */
  readonly agentNamedByClient: boolean;
}

/** The error for each kind of object a task input can name (src/agents/input-references.ts). */
const NOT_FOUND = {
  repository: RepositoryNotFoundError,
  proposal: ProposalNotFoundError,
  experiment: ExperimentNotFoundError,
} as const;

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
  const { inputField, agentNamedByClient } = submission.context;
  if (!agentNamedByClient && !services.agents.get(submission.agentType)) {
    throw new AgentNotRegisteredError(submission.agentType);
  }
  services.tasks.validate(
    { agentType: submission.agentType, input: submission.input, trigger: 'manual', inputField },
    submission.agent,
  );
  // Schema-valid input may still name a repository (proposal, experiment) that does not exist: 404 now,
  // rather than a 202 whose task fails later.
  const missing = await findMissingReference(services.database.orm, submission.input);
  if (missing) throw new NOT_FOUND[missing.kind](missing.id, `${inputField}.${missing.field}`);
  const result = await services.tasks.submit(
    {
      agentType: submission.agentType,
      input: submission.input,
      trigger: 'manual',
      inputField,
      createdBy: principal.label,
      priority: submission.priority,
      idempotencyKey: submission.idempotencyKey
        ? `api:${submission.agentType}:${submission.idempotencyKey}`
        : undefined,
    },
    submission.agent,
  );
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
