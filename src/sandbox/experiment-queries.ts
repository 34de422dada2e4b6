import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals, sandboxExperiments, tasks } from '../db/schema.js';
import type { SandboxExperiment } from './experiment-store.js';

export async function insertExperiment(
  orm: Orm,
  experiment: typeof sandboxExperiments.$inferInsert,
): Promise<SandboxExperiment> {
  const [created] = await orm.insert(sandboxExperiments).values(experiment).returning();
  return created!;
}

export async function setExperimentTask(orm: Orm, experimentId: string, taskId: string): Promise<SandboxExperiment> {
  const [withTask] = await orm
    .update(sandboxExperiments)
    .set({ taskId })
    .where(eq(sandboxExperiments.id, experimentId))
    .returning();
  return withTask!;
}

export async function newestExperimentOfTask(orm: Orm, taskId: string): Promise<SandboxExperiment | undefined> {
  const [existing] = await orm
    .select()
    .from(sandboxExperiments)
    .where(eq(sandboxExperiments.taskId, taskId))
    .orderBy(desc(sandboxExperiments.createdAt))
    .limit(1);
  return existing;
}

/** Whether the task with this idempotency key is running now. */
export async function isTaskRunning(orm: Orm, idempotencyKey: string): Promise<boolean> {
  const [test] = await orm
    .select({ status: tasks.status })
    .from(tasks)
    .where(and(eq(tasks.idempotencyKey, idempotencyKey), eq(tasks.status, 'running')));
  return test !== undefined;
}

/** Merges `summary` into the proposal's `test_results` as `experiment`; false when there is no such proposal. */
export async function setProposalExperiment(
  orm: Orm,
  proposalId: string,
  summary: Record<string, unknown>,
): Promise<boolean> {
  const updated = await orm
    .update(proposals)
    .set({
      testResults: sql`coalesce(${proposals.testResults}, '{}'::jsonb) || jsonb_build_object('experiment', ${JSON.stringify(summary)}::jsonb)`,
    })
    .where(eq(proposals.id, proposalId))
    .returning({ id: proposals.id });
  return updated.length > 0;
}

/**
 * Finished experiments (with their proposal) missing from their proposal's `test_results`, only the newest
 * finished one of each proposal.
 */
export async function experimentsToReattach(orm: Orm, repositoryId: string | undefined) {
  return orm
    .select()
    .from(sandboxExperiments)
    .innerJoin(proposals, eq(proposals.id, sandboxExperiments.proposalId))
    .where(
      and(
        isNotNull(sandboxExperiments.proposalId),
        inArray(sandboxExperiments.status, ['succeeded', 'failed']),
        repositoryId ? eq(sandboxExperiments.repositoryId, repositoryId) : undefined,
        sql`(${proposals.testResults} is null or ${proposals.testResults} -> 'experiment' ->> 'id' is distinct from ${sandboxExperiments.id}::text)`,
        // the newest finished experiment of each proposal wins
        sql`not exists (select 1 from ${sandboxExperiments} newer where newer.proposal_id = ${sandboxExperiments.proposalId}
              and newer.status in ('succeeded', 'failed') and newer.finished_at > ${sandboxExperiments.finishedAt})`,
      ),
    );
}
