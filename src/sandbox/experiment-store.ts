import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { sandboxExperiments } from '../db/schema.js';

export type SandboxExperiment = typeof sandboxExperiments.$inferSelect;

export async function findExperiment(orm: Orm, id: string): Promise<SandboxExperiment | undefined> {
  const [experiment] = await orm.select().from(sandboxExperiments).where(eq(sandboxExperiments.id, id));
  return experiment;
}

export async function listExperiments(
  orm: Orm,
  filter: { repositoryId?: string | undefined; proposalId?: string | undefined; limit: number; skip: number },
): Promise<{ items: SandboxExperiment[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.repositoryId) conditions.push(eq(sandboxExperiments.repositoryId, filter.repositoryId));
  if (filter.proposalId) conditions.push(eq(sandboxExperiments.proposalId, filter.proposalId));
  const where = conditions.length ? and(...conditions) : undefined;
  const [items, [count]] = await Promise.all([
    orm
      .select()
      .from(sandboxExperiments)
      .where(where)
      .orderBy(desc(sandboxExperiments.createdAt), desc(sandboxExperiments.id))
      .limit(filter.limit)
      .offset(filter.skip),
    orm
      .select({ total: sql<number>`count(*)::int` })
      .from(sandboxExperiments)
      .where(where),
  ]);
  return { items, total: count?.total ?? 0 };
}

export async function updateExperiment(
  orm: Orm,
  id: string,
  changes: Partial<typeof sandboxExperiments.$inferInsert>,
): Promise<SandboxExperiment | undefined> {
  const [updated] = await orm.update(sandboxExperiments).set(changes).where(eq(sandboxExperiments.id, id)).returning();
  return updated;
}
