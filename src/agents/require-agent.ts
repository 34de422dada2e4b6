import type { Orm } from '../db/database.js';
import type { AgentRow } from '../tasks/task-store.js';
import { AgentNotFoundError } from './agent-errors.js';
import { findAgent } from './agent-queries.js';

/** The agent with this id, or an `AgentNotFoundError`. */
export async function requireAgent(orm: Orm, id: string): Promise<AgentRow> {
  const agent = await findAgent(orm, id);
  if (!agent) throw new AgentNotFoundError(id);
  return agent;
}
