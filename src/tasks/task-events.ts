import type { EventBus } from '../events/bus.js';
import { taskRepresentation } from './representation.js';
import type { AgentRow, TaskRow } from './task-store.js';

export const taskTopic = (taskId: string) => `tasks/${taskId}`;

type Log = { warn(object: unknown, message: string): void };

/**
 * Announces a committed task change on the task's topic. A failure to record the event is logged, never
 * thrown: the change it describes has already happened.
 */
export async function publishTaskEvent(
  events: EventBus,
  type: `task.${string}`,
  task: TaskRow,
  log: Log,
  extra: Record<string, unknown> = {},
): Promise<void> {
  try {
    await events.publish({ type, topic: taskTopic(task.id), data: { task: taskRepresentation(task), ...extra } });
  } catch (error) {
    log.warn({ err: error, taskId: task.id, type }, 'could not publish a task event');
  }
}

/** Progress and log lines: small payloads, one per call. */
export async function publishTaskDetail(
  events: EventBus,
  type: 'task.progress' | 'task.log',
  taskId: string,
  data: Record<string, unknown>,
  log: Log,
): Promise<void> {
  try {
    await events.publish({ type, topic: taskTopic(taskId), data: { task_id: taskId, ...data } });
  } catch (error) {
    log.warn({ err: error, taskId, type }, 'could not publish a task event');
  }
}

export async function publishAgentEvent(
  events: EventBus,
  type: `agent.${string}`,
  agent: Pick<AgentRow, 'id' | 'type' | 'name' | 'status'>,
  log: Log,
): Promise<void> {
  try {
    await events.publish({
      type,
      topic: 'agents',
      data: { agent: { id: agent.id, type: agent.type, name: agent.name, status: agent.status } },
    });
  } catch (error) {
    log.warn({ err: error, agentId: agent.id, type }, 'could not publish an agent event');
  }
}
