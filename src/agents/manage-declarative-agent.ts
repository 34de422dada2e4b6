import type { Orm } from '../db/database.js';
import type { AgentRow } from '../tasks/task-store.js';
import { AgentRefusedError } from './agent-errors.js';
import type { AgentRegistry } from '../tasks/agent-registry.js';
import { requireAgent } from './require-agent.js';
import { DECLARATIVE_TYPE } from './declarative/config.js';
import {
  deleteDeclarativeAgent,
  insertDeclarativeAgent,
  updateDeclarativeAgent,
  type CreateDeclarative,
  type UpdateDeclarative,
} from './declarative/declarative-agent-store.js';

/**
 * Stores a new declarative agent. Refused (`AgentRefusedError`) when this process registers no declarative
 * definition to run it, or when its name is a registered agent type or another agent's name.
 */
export async function createDeclarativeAgent(
  services: { orm: Orm; agents: Pick<AgentRegistry, 'get'> },
  body: CreateDeclarative,
): Promise<AgentRow> {
  if (!services.agents.get(DECLARATIVE_TYPE)) {
    throw new AgentRefusedError('agent_not_registered', 'Declarative agents are not registered in this process.');
  }
  const taken = () =>
    new AgentRefusedError('agent_name_taken', `An agent named ${body.name} exists.`, { name: body.name });
  if (services.agents.get(body.name)) throw taken();
  const agent = await insertDeclarativeAgent(services.orm, body);
  if (!agent) throw taken();
  return agent;
}

/** The declarative agent with this id: an `AgentNotFoundError`, or a refusal for a built-in agent. */
async function requireDeclarativeAgent(orm: Orm, id: string): Promise<AgentRow> {
  const agent = await requireAgent(orm, id);
  if (agent.type !== DECLARATIVE_TYPE) {
    throw new AgentRefusedError(
      'agent_not_declarative',
      `Agent ${id} is a built-in ${agent.type} agent; only declarative agents change here.`,
    );
  }
  return agent;
}

export async function changeDeclarativeAgent(orm: Orm, id: string, change: UpdateDeclarative): Promise<AgentRow> {
  return updateDeclarativeAgent(orm, await requireDeclarativeAgent(orm, id), change);
}

/** Deletes a declarative agent with its finished tasks; refused while it has tasks waiting or running. */
export async function removeDeclarativeAgent(orm: Orm, id: string): Promise<AgentRow> {
  const agent = await requireDeclarativeAgent(orm, id);
  if (!(await deleteDeclarativeAgent(orm, agent))) {
    throw new AgentRefusedError('agent_busy', `Agent ${agent.name} has tasks waiting or running; cancel them first.`);
  }
  return agent;
}
