import type { EventBus } from '../events/bus.js';

export const deploymentTopic = (deploymentId: string) => `deployments/${deploymentId}`;

/** Announces a change of a deployment on `deployments/{id}`, after it committed. */
export async function publishDeploymentEvent(
  events: EventBus,
  type: `deployment.${string}`,
  deploymentId: string,
  data: Record<string, unknown>,
  log?: { warn(object: unknown, message: string): void },
): Promise<void> {
  try {
    await events.publish({
      type,
      topic: deploymentTopic(deploymentId),
      data: { deployment_id: deploymentId, ...data },
    });
  } catch (error) {
    // The change is stored; a client that missed the event reads it from the API.
    log?.warn({ err: error }, `could not publish ${type}`);
  }
}
