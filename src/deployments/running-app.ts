import type { Orm } from '../db/database.js';
import { AppNotFoundError, AppNotRunningError } from './deployment-errors.js';
import { findDeploymentBySlug, type Deployment } from './deployment-store.js';

/**
 * Where a request for /apps/{slug}/ goes: the loopback port of the deployment's running app, forwarded by
 * the supervisor that owns it (every lvlup process on this machine reaches it there).
 */
export async function runningApp(orm: Orm, slug: string): Promise<{ deployment: Deployment; origin: string }> {
  const deployment = await findDeploymentBySlug(orm, slug);
  if (!deployment) throw new AppNotFoundError(slug);
  if (deployment.status !== 'running' || deployment.desired !== 'running' || deployment.port === null) {
    throw new AppNotRunningError(slug, deployment.status, deployment.desired);
  }
  return { deployment, origin: `http://127.0.0.1:${deployment.port}` };
}
