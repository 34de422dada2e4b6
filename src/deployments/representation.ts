import { z } from 'zod';
import type { Deployment, DeploymentLogLine } from './deployment-store.js';

const instant = z.string().describe('ISO 8601');

export const DEPLOYMENT_STATUSES = ['pending', 'building', 'testing', 'running', 'failed', 'stopped'] as const;

export const deploymentSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    slug: z.string().describe('its proxy address is /apps/{slug}/'),
    commit: z.string().describe('the commit of the project it runs'),
    status: z.enum(DEPLOYMENT_STATUSES),
    desired: z.enum(['running', 'stopped']).describe('what its supervisor is making it do'),
    url: z.string().nullable().describe('where the app answers on this machine (loopback), while it has a port'),
    proxy_path: z.string().describe('where the app answers through lvlup'),
    port: z.number().int().nullable(),
    start_command: z.string(),
    health_path: z.string(),
    started_at: instant.nullable().describe('when the current process of the app started'),
    restarts: z.number().int().describe('how often the supervisor started it again after it died'),
    last_health: z
      .object({
        ok: z.boolean(),
        status: z.number().int().nullable(),
        latency_ms: z.number().nullable(),
        error: z.string().optional(),
        at: instant,
      })
      .nullable(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    owner_id: z.string().nullable().describe('the lvlup process that supervises it'),
    lease_expires_at: instant.nullable(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: 'Deployment' });

export type DeploymentBody = z.infer<typeof deploymentSchema>;

export function deploymentUrl(deployment: Pick<Deployment, 'port' | 'status'>): string | null {
  return deployment.port !== null && deployment.status === 'running' ? `http://127.0.0.1:${deployment.port}/` : null;
}

export function presentDeployment(deployment: Deployment): DeploymentBody {
  return {
    id: deployment.id,
    project_id: deployment.projectId,
    slug: deployment.slug,
    commit: deployment.commit,
    status: deployment.status,
    desired: deployment.desired,
    url: deploymentUrl(deployment),
    proxy_path: `/apps/${deployment.slug}/`,
    port: deployment.port,
    start_command: deployment.startCommand,
    health_path: deployment.healthPath,
    started_at: deployment.startedAt?.toISOString() ?? null,
    restarts: deployment.restarts,
    last_health: deployment.lastHealth,
    failure: deployment.failure,
    owner_id: deployment.ownerId,
    lease_expires_at: deployment.leaseExpiresAt?.toISOString() ?? null,
    created_at: deployment.createdAt.toISOString(),
    updated_at: deployment.updatedAt.toISOString(),
  };
}

export const logLineSchema = z
  .object({
    id: z.number().int().describe('the cursor: pass it as `after` to read what follows'),
    at: instant,
    source: z.enum(['app', 'lvlup']).describe('`app`: what the app wrote; `lvlup`: what its supervisor did'),
    line: z.string(),
  })
  .meta({ id: 'DeploymentLogLine' });

export function presentLogLine(line: DeploymentLogLine): z.infer<typeof logLineSchema> {
  return { id: line.id, at: line.at.toISOString(), source: line.source, line: line.line };
}
