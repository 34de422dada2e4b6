import { and, count, desc, eq } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { deployments, projects } from '../db/schema.js';
import { DeploymentNotFoundError } from '../deployments/deployment-errors.js';
import type { Deployment, DeploymentStatus } from '../deployments/deployment-store.js';

/** A deployment with the name of the app (its project) it runs. */
export interface AppDeployment {
  readonly deployment: Deployment;
  readonly appName: string;
}

const columns = { deployment: deployments, appName: projects.name };

export async function listAppDeployments(
  orm: Orm,
  options: { limit: number; skip: number; status?: DeploymentStatus | undefined; projectId?: string | undefined },
): Promise<{ items: AppDeployment[]; total: number }> {
  const where = and(
    options.status ? eq(deployments.status, options.status) : undefined,
    options.projectId ? eq(deployments.projectId, options.projectId) : undefined,
  );
  const [items, [total]] = await Promise.all([
    orm
      .select(columns)
      .from(deployments)
      .innerJoin(projects, eq(projects.id, deployments.projectId))
      .where(where)
      .orderBy(desc(deployments.createdAt), desc(deployments.id))
      .limit(options.limit)
      .offset(options.skip),
    orm.select({ value: count() }).from(deployments).where(where),
  ]);
  return { items, total: total?.value ?? 0 };
}

export async function requireAppDeployment(orm: Orm, id: string): Promise<AppDeployment> {
  const [row] = await orm
    .select(columns)
    .from(deployments)
    .innerJoin(projects, eq(projects.id, deployments.projectId))
    .where(eq(deployments.id, id));
  if (!row) throw new DeploymentNotFoundError(id);
  return row;
}
