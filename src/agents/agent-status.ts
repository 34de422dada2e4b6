import type { Orm } from '../db/database.js';
import { UnknownAgentError } from '../tasks/task-queue.js';
import type { AgentRow } from '../tasks/task-store.js';
import { agentMetrics, type AgentMetrics } from './agent-metrics.js';
import {
  agentActivity,
  findAgentsByName,
  hasAgentOfType,
  nextScheduledRuns,
  type AgentActivity,
} from './agent-queries.js';

export interface AgentStatus {
  readonly agent: AgentRow;
  /** its tasks now: queued, retrying, running, the one it runs and its last finished one */
  readonly activity: AgentActivity | undefined;
  readonly nextRun: Date | undefined;
}

/**
 * The stored status of each registered agent type that has a stored agent, in the order given: the agent,
 * its activity over every process and its next scheduled run.
 */
export async function agentStatuses(orm: Orm, agentTypes: readonly string[]): Promise<AgentStatus[]> {
  const rows = await findAgentsByName(orm, agentTypes);
  const [activity, nextRuns] = await Promise.all([
    agentActivity(
      orm,
      rows.map((row) => row.id),
    ),
    nextScheduledRuns(orm, agentTypes),
  ]);
  return agentTypes.flatMap((agentType) => {
    const agent = rows.find((row) => row.name === agentType);
    return agent ? [{ agent, activity: activity.get(agent.id), nextRun: nextRuns.get(agentType) }] : [];
  });
}

/**
 * An agent type's record since a time. Agents of other processes' registries (or retired ones) keep their
 * stored record; a type neither registered nor stored is UnknownAgentError.
 */
export async function agentRecord(
  orm: Orm,
  registered: (agentType: string) => boolean,
  agentType: string,
  since: Date | undefined,
): Promise<AgentMetrics> {
  if (!registered(agentType) && !(await hasAgentOfType(orm, agentType))) throw new UnknownAgentError(agentType);
  return agentMetrics(orm, agentType, since);
}
