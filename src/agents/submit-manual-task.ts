import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../db/database.js';
import { ProposalNotFoundError } from '../proposals/transition-store.js';
import { RepositoryNotFoundError } from '../repositories/repository-not-found-error.js';
import { ExperimentNotFoundError } from '../sandbox/experiment-not-found-error.js';
import { AgentNotRegisteredError, type TaskQueue } from '../tasks/task-queue.js';
import type { AgentRow, TaskRow } from '../tasks/task-store.js';
import { findMissingReference } from './input-references.js';
import type { AgentRegistry } from '../tasks/agent-registry.js';

/** An idempotency key repeated with a different input or priority than the task it created. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'idempotency_key_reused';
  constructor(readonly taskId: string) {
    super(`The Idempotency-Key was used for task ${taskId} with a different input or priority.`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

export interface ManualTaskServices {
  readonly database: Database;
  readonly tasks: Pick<TaskQueue, 'validate' | 'submit'>;
  readonly agents: Pick<AgentRegistry, 'get'>;
}

export interface ManualTask {
  readonly agentType: string;
  /** the agent's row when the client named it by id */
  readonly agent?: AgentRow | undefined;
  readonly input: Record<string, unknown>;
  readonly priority?: number | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly createdBy: string;
  /** where the task input sat in the request, e.g. `body` or `body.input`: refusals name fields under it */
  readonly inputField: string;
  /**
   * whether the client named the agent type (an unknown one is `unknown_agent`) or an agent that exists (its
   * type not registered in this process is `agent_not_registered`)
   */
  readonly agentNamedByClient: boolean;
}

/** The error for each kind of object a task input can name (src/agents/input-references.ts). */
const NOT_FOUND = {
  repository: RepositoryNotFoundError,
  proposal: ProposalNotFoundError,
  experiment: ExperimentNotFoundError,
} as const;

/**
 * Enqueues a task a person asked for. The queue's refusals (`InvalidTaskInputError`, `UnknownAgentError`)
 * pass through; input naming an object that does not exist is that object's not-found error. With an
 * idempotency key (namespaced `api:<agent type>:<key>`), a repeat answers the existing task and
 * `created: false`; a repeat whose input or priority differs is an `IdempotencyKeyReusedError`, as the key
 * would otherwise hide that the request was ignored.
 */
export async function submitManualTask(
  services: ManualTaskServices,
  submission: ManualTask,
): Promise<{ task: TaskRow; created: boolean }> {
  const { inputField } = submission;
  if (!submission.agentNamedByClient && !services.agents.get(submission.agentType)) {
    throw new AgentNotRegisteredError(submission.agentType);
  }
  services.tasks.validate(
    { agentType: submission.agentType, input: submission.input, trigger: 'manual', inputField },
    submission.agent,
  );
  // Schema-valid input may still name a repository (proposal, experiment) that does not exist: refused
  // now, rather than accepted as a task that fails later.
  const missing = await findMissingReference(services.database.orm, submission.input);
  if (missing) throw new NOT_FOUND[missing.kind](missing.id, `${inputField}.${missing.field}`);
  const result = await services.tasks.submit(
    {
      agentType: submission.agentType,
      input: submission.input,
      trigger: 'manual',
      inputField,
      createdBy: submission.createdBy,
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
    if (!same) throw new IdempotencyKeyReusedError(result.task.id);
  }
  return result;
}
