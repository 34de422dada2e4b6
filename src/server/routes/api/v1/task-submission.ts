import { z } from 'zod';
import type { Principal } from '../../../../accounts/principal.js';
import { submitManualTask as submitTask } from '../../../../agents/submit-manual-task.js';
import type { AgentRow, TaskRow } from '../../../../tasks/task-store.js';
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

/** Enqueues a task a person asked for (src/agents/submit-manual-task.ts); refusals are domain errors. */
export async function submitManualTask(
  services: Services,
  principal: Principal,
  submission: ManualSubmission,
): Promise<{ task: TaskRow; created: boolean }> {
  const { context, ...task } = submission;
  return submitTask(services, { ...task, ...context, createdBy: principal.label });
}
