import type { Orm } from '../db/database.js';
import { InvalidTaskInputError } from '../tasks/task-queue.js';
import { listTasks, type TaskFilter } from '../tasks/task-queries.js';
import type { AgentRegistry } from '../tasks/agent-registry.js';
import { requireAgent } from './require-agent.js';
import { submitManualTask, type ManualTaskServices } from './submit-manual-task.js';

/**
 * Submits a task to the agent with this id (an `AgentNotFoundError` when none). A declarative agent's input
 * is checked against its own schema, stored with the agent, before the task is enqueued
 * (src/agents/submit-manual-task.ts and its refusals).
 */
export async function submitTaskToAgent(
  services: ManualTaskServices & { readonly agents: Pick<AgentRegistry, 'get'> },
  id: string,
  request: {
    input: Record<string, unknown>;
    priority?: number | undefined;
    idempotencyKey?: string | undefined;
    createdBy: string;
  },
) {
  const agent = await requireAgent(services.database.orm, id);
  let input = request.input;
  const ownInput = services.agents.get(agent.type)?.agentInput?.(agent.config);
  if (ownInput) {
    const checked = ownInput.schema.safeParse(input);
    if (!checked.success) throw new InvalidTaskInputError(checked.error.issues, 'body.input');
    input = checked.data as Record<string, unknown>;
  }
  return submitManualTask(services, {
    ...request,
    agentType: agent.type,
    agent,
    input,
    inputField: 'body.input',
    agentNamedByClient: false,
  });
}

/** A page of the tasks of the agent with this id (an `AgentNotFoundError` when none), newest first. */
export async function agentTasks(orm: Orm, id: string, filter: Omit<TaskFilter, 'agentId'>) {
  const agent = await requireAgent(orm, id);
  return listTasks(orm, { ...filter, agentId: agent.id });
}
