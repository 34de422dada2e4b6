import { and, asc, count, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { deploymentLogs, deployments } from '../db/schema.js';

export type Deployment = typeof deployments.$inferSelect;
export type NewDeployment = typeof deployments.$inferInsert;
export type DeploymentStatus = Deployment['status'];
export type DeploymentLogLine = typeof deploymentLogs.$inferSelect;

export async function insertDeployment(orm: Orm, values: NewDeployment): Promise<Deployment> {
  const [row] = await orm.insert(deployments).values(values).returning();
  if (!row) throw new Error('The deployment was not stored.');
  return row;
}

export async function findDeployment(orm: Orm, id: string): Promise<Deployment | undefined> {
  const [row] = await orm.select().from(deployments).where(eq(deployments.id, id));
  return row;
}

export async function findProjectDeployment(orm: Orm, projectId: string): Promise<Deployment | undefined> {
  const [row] = await orm.select().from(deployments).where(eq(deployments.projectId, projectId));
  return row;
}

export async function findDeploymentBySlug(orm: Orm, slug: string): Promise<Deployment | undefined> {
  const [row] = await orm.select().from(deployments).where(eq(deployments.slug, slug));
  return row;
}

/** The deployment row, locked until the transaction ends: requests to start, stop and delete take turns. */
export async function lockDeployment(orm: Orm, id: string): Promise<Deployment | undefined> {
  const [row] = await orm.select().from(deployments).where(eq(deployments.id, id)).for('update');
  return row;
}

/** Requests to deploy one project take turns until the transaction ends (there may be no row to lock yet). */
export async function lockProjectDeployments(orm: Orm, projectId: string): Promise<void> {
  await orm.execute(sql`select pg_advisory_xact_lock(hashtext(${`deployment:${projectId}`}))`);
}

export async function listDeployments(
  orm: Orm,
  options: { limit: number; skip: number; status?: DeploymentStatus | undefined; projectId?: string | undefined },
): Promise<{ items: Deployment[]; total: number }> {
  const where = and(
    options.status ? eq(deployments.status, options.status) : undefined,
    options.projectId ? eq(deployments.projectId, options.projectId) : undefined,
  );
  const [items, [total]] = await Promise.all([
    orm
      .select()
      .from(deployments)
      .where(where)
      .orderBy(desc(deployments.createdAt), desc(deployments.id))
      .limit(options.limit)
      .offset(options.skip),
    orm.select({ value: count() }).from(deployments).where(where),
  ]);
  return { items, total: total?.value ?? 0 };
}

export async function updateDeployment(
  orm: Orm,
  id: string,
  changes: Partial<NewDeployment>,
): Promise<Deployment | undefined> {
  const [row] = await orm.update(deployments).set(changes).where(eq(deployments.id, id)).returning();
  return row;
}

/**
 * A change the supervisor makes to a deployment it owns, of the generation it works on: a supervisor
 * that lost its lease, or works on a request that was superseded, changes nothing.
 */
export async function updateOwnedDeployment(
  orm: Orm,
  id: string,
  owner: { ownerId: string; generation: number },
  changes: Partial<NewDeployment>,
): Promise<Deployment | undefined> {
  const [row] = await orm
    .update(deployments)
    .set(changes)
    .where(
      and(eq(deployments.id, id), eq(deployments.ownerId, owner.ownerId), eq(deployments.generation, owner.generation)),
    )
    .returning();
  return row;
}

export async function deleteDeploymentRow(orm: Orm, id: string): Promise<Deployment | undefined> {
  const [row] = await orm.delete(deployments).where(eq(deployments.id, id)).returning();
  return row;
}

/**
 * The heartbeat and the claim in one statement: this process renews the lease of every deployment it owns
 * and takes the ones that should run and have no owner, or whose owner's lease ran out (a process that
 * died). Row locks make two processes that claim at once take each row once: the second sees the first's
 * committed owner and a lease in the future. Answers every deployment this process owns afterwards.
 */
export async function claimDeployments(
  orm: Orm,
  options: { ownerId: string; now: Date; leaseMs: number; limit: number },
): Promise<Deployment[]> {
  const expires = new Date(options.now.getTime() + options.leaseMs);
  await orm.update(deployments).set({ leaseExpiresAt: expires }).where(eq(deployments.ownerId, options.ownerId));
  const candidates = orm
    .select({ id: deployments.id })
    .from(deployments)
    .where(
      and(
        eq(deployments.desired, 'running'),
        or(isNull(deployments.ownerId), lt(deployments.leaseExpiresAt, options.now)),
      ),
    )
    .orderBy(asc(deployments.createdAt))
    .limit(options.limit)
    .for('update', { skipLocked: true });
  await orm
    .update(deployments)
    .set({ ownerId: options.ownerId, leaseExpiresAt: expires })
    .where(
      and(
        inArray(deployments.id, candidates),
        or(isNull(deployments.ownerId), lt(deployments.leaseExpiresAt, options.now)),
      ),
    );
  return orm.select().from(deployments).where(eq(deployments.ownerId, options.ownerId));
}

/** Gives up this process's leases (a clean shutdown): another process takes them over at once. */
export async function releaseDeployments(orm: Orm, ownerId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await orm
    .update(deployments)
    .set({ ownerId: null, leaseExpiresAt: null })
    .where(and(eq(deployments.ownerId, ownerId), inArray(deployments.id, [...ids])));
}

export async function appendLogLines(
  orm: Orm,
  deploymentId: string,
  lines: readonly { source: 'app' | 'lvlup'; line: string; at: Date }[],
  keep: number,
): Promise<DeploymentLogLine[]> {
  if (lines.length === 0) return [];
  const rows = await orm
    .insert(deploymentLogs)
    .values(lines.map((entry) => ({ deploymentId, ...entry })))
    .returning();
  // Bounded: the oldest lines beyond `keep` go.
  await orm.execute(sql`
    delete from ${deploymentLogs}
    where ${deploymentLogs.deploymentId} = ${deploymentId}
      and ${deploymentLogs.id} <= (
        select ${deploymentLogs.id} from ${deploymentLogs}
        where ${deploymentLogs.deploymentId} = ${deploymentId}
        order by ${deploymentLogs.id} desc offset ${keep} limit 1
      )`);
  return rows;
}

/** Log lines after a cursor (the id of the last line read), oldest first. */
export async function readLogLines(
  orm: Orm,
  deploymentId: string,
  options: { after: number; limit: number },
): Promise<DeploymentLogLine[]> {
  return orm
    .select()
    .from(deploymentLogs)
    .where(and(eq(deploymentLogs.deploymentId, deploymentId), gt(deploymentLogs.id, options.after)))
    .orderBy(asc(deploymentLogs.id))
    .limit(options.limit);
}
