import { and, asc, desc, eq, isNotNull, notExists, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals, sandboxRuns } from '../db/schema.js';

export type SandboxRun = typeof sandboxRuns.$inferSelect;
export type NewSandboxRun = typeof sandboxRuns.$inferInsert;

export async function findBaseline(
  orm: Orm,
  key: { repositoryId: string; commit: string; checksKey: string },
): Promise<SandboxRun | undefined> {
  const [run] = await orm
    .select()
    .from(sandboxRuns)
    .where(
      and(
        eq(sandboxRuns.kind, 'baseline'),
        eq(sandboxRuns.repositoryId, key.repositoryId),
        eq(sandboxRuns.commit, key.commit),
        eq(sandboxRuns.checksKey, key.checksKey),
      ),
    );
  return run;
}

/**
 * Stores a baseline unless another task stored one for the same commit and commands meanwhile (two
 * proposals on one base may compute it at once); either way the stored one is returned, so every
 * proposal on that base is compared with the same results.
 */
export async function storeBaseline(orm: Orm, run: Omit<NewSandboxRun, 'kind'>): Promise<SandboxRun> {
  await orm
    .insert(sandboxRuns)
    .values({ ...run, kind: 'baseline' })
    .onConflictDoNothing();
  const stored = await findBaseline(orm, run);
  if (!stored) throw new Error('The baseline run was neither stored nor found.');
  return stored;
}

export async function storeProposalRun(orm: Orm, run: Omit<NewSandboxRun, 'kind'>): Promise<SandboxRun> {
  const [stored] = await orm
    .insert(sandboxRuns)
    .values({ ...run, kind: 'proposal' })
    .returning();
  return stored!;
}

export async function proposalRuns(orm: Orm, proposalId: string): Promise<SandboxRun[]> {
  return orm
    .select()
    .from(sandboxRuns)
    .where(eq(sandboxRuns.proposalId, proposalId))
    .orderBy(desc(sandboxRuns.createdAt));
}

export async function findRun(orm: Orm, id: string): Promise<SandboxRun | undefined> {
  const [run] = await orm.select().from(sandboxRuns).where(eq(sandboxRuns.id, id));
  return run;
}

/**
 * Pending proposals (with a repository and a base commit) that never got a sandbox run, oldest first, at
 * most `limit`; of one repository, or of all when `repositoryId` is undefined.
 */
export async function untestedPendingProposals(
  orm: Orm,
  repositoryId: string | undefined,
  limit: number,
): Promise<{ id: string }[]> {
  return orm
    .select({ id: proposals.id })
    .from(proposals)
    .where(
      and(
        eq(proposals.status, 'pending'),
        isNotNull(proposals.repositoryId),
        isNotNull(proposals.baseCommit),
        repositoryId ? eq(proposals.repositoryId, repositoryId) : undefined,
        notExists(
          orm
            .select({ one: sql`1` })
            .from(sandboxRuns)
            .where(eq(sandboxRuns.proposalId, proposals.id)),
        ),
      ),
    )
    .orderBy(asc(proposals.createdAt))
    .limit(limit);
}
