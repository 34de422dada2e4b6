import type { Orm } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { publishAgentEvent } from '../tasks/task-events.js';
import type { TaskQueue } from '../tasks/task-queue.js';
import type { AgentRow } from '../tasks/task-store.js';
import { pauseAgent, resumeAgent, type AgentChange } from './agent-control-store.js';
import { AgentNotFoundError } from './agent-errors.js';

export interface AgentControlServices {
  readonly orm: Orm;
  readonly events: EventBus;
  readonly tasks: Pick<TaskQueue, 'wake'>;
  readonly log: Parameters<typeof publishAgentEvent>[3];
}

async function announce(
  services: AgentControlServices,
  change: AgentChange | undefined,
  id: string,
  type: 'agent.paused' | 'agent.resumed',
): Promise<AgentRow> {
  if (!change) throw new AgentNotFoundError(id);
  if (change.changed) await publishAgentEvent(services.events, type, change.agent, services.log);
  return change.agent;
}

/** Pauses an agent and announces it when it was not paused already. */
export async function pauseAndPublish(services: AgentControlServices, id: string): Promise<AgentRow> {
  return announce(services, await pauseAgent(services.orm, id), id, 'agent.paused');
}

/** Resumes a paused agent, wakes this process's workers for its waiting tasks and announces it. */
export async function resumeAndPublish(services: AgentControlServices, id: string): Promise<AgentRow> {
  const change = await resumeAgent(services.orm, id);
  // Workers of this process look at once; other processes' workers find the tasks at their next poll.
  if (change?.changed) services.tasks.wake();
  return announce(services, change, id, 'agent.resumed');
}
