import type { EventBus } from '../events/bus.js';

export const projectTopic = (projectId: string) => `projects/${projectId}`;

/** Announces a change of a project's run or of one of its stages on `projects/{id}`, after it committed. */
export async function publishProjectEvent(
  events: EventBus,
  type: `project.${string}`,
  projectId: string,
  data: Record<string, unknown>,
  log?: { warn(object: unknown, message: string): void },
): Promise<void> {
  try {
    await events.publish({ type, topic: projectTopic(projectId), data: { project_id: projectId, ...data } });
  } catch (error) {
    // The change is stored; a client that missed the event reads it from the API.
    log?.warn({ err: error }, `could not publish ${type}`);
  }
}
