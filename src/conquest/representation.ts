import { z } from 'zod';
import { DEPLOYMENT_STATUSES, deploymentSchema, deploymentUrl } from '../deployments/representation.js';
import type { AppDeployment } from './app-deployment-queries.js';

const instant = z.string().describe('ISO 8601');

/** A deployment as seed 000's Conquest routes show it: snake_case, named by `deployment_id`, with its app's name. */
export const appDeploymentSchema = z
  .object({
    deployment_id: z.uuid(),
    app_name: z.string().describe('the name of the project it runs'),
    project_id: z.uuid(),
    status: z.enum(DEPLOYMENT_STATUSES),
    url: z.string().nullable().describe('where the app answers on this machine (loopback), while it runs'),
    proxy_path: z.string().describe('where the app answers through lvlup (/apps/{slug}/, with a credential)'),
    slug: z.string(),
    commit: z.string(),
    port: z.number().int().nullable(),
    restarts: z.number().int(),
    health: deploymentSchema.shape.last_health.describe('the last health check'),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    started_at: instant.nullable(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: 'ConquestDeployment' });

export function presentAppDeployment({ deployment, appName }: AppDeployment): z.infer<typeof appDeploymentSchema> {
  return {
    deployment_id: deployment.id,
    app_name: appName,
    project_id: deployment.projectId,
    status: deployment.status,
    url: deploymentUrl(deployment),
    proxy_path: `/apps/${deployment.slug}/`,
    slug: deployment.slug,
    commit: deployment.commit,
    port: deployment.port,
    restarts: deployment.restarts,
    health: deployment.lastHealth,
    failure: deployment.failure,
    started_at: deployment.startedAt?.toISOString() ?? null,
    created_at: deployment.createdAt.toISOString(),
    updated_at: deployment.updatedAt.toISOString(),
  };
}
