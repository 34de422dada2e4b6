import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { tasks, tokenUsage } from '../db/schema.js';

/** What a project's language model calls cost, as recorded in `token_usage` by its stages' tasks. */
export interface ProjectTokenUsage {
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export const NO_USAGE: ProjectTokenUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

const projectOf = sql<string>`${tasks.input}->>'project_id'`;
const runOf = sql<number>`(${tasks.input}->>'run')::int`;

/**
 * The token usage of projects, per run: every call a stage's task made (agent `pipeline-<stage>`) is a
 * `token_usage` row carrying the task's id, and the task's input names the project and the run.
 */
export async function projectTokenUsage(
  orm: Orm,
  projectIds: readonly string[],
): Promise<Map<string, Map<number, ProjectTokenUsage>>> {
  const byProject = new Map<string, Map<number, ProjectTokenUsage>>();
  if (projectIds.length === 0) return byProject;
  const rows = await orm
    .select({
      projectId: projectOf,
      run: runOf,
      calls: sql<number>`count(*)::int`,
      inputTokens: sql<number>`coalesce(sum(${tokenUsage.inputTokens}), 0)::int`,
      outputTokens: sql<number>`coalesce(sum(${tokenUsage.outputTokens}), 0)::int`,
      costUsd: sql<number>`coalesce(sum(${tokenUsage.costUsd}), 0)::float8`,
    })
    .from(tokenUsage)
    .innerJoin(tasks, eq(tasks.id, tokenUsage.taskId))
    .where(and(sql`${tasks.agentType} like 'pipeline-%'`, inArray(projectOf, [...projectIds])))
    .groupBy(projectOf, runOf);
  for (const row of rows) {
    const runs = byProject.get(row.projectId) ?? new Map<number, ProjectTokenUsage>();
    runs.set(Number(row.run), {
      calls: Number(row.calls),
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      costUsd: Number(row.costUsd),
    });
    byProject.set(row.projectId, runs);
  }
  return byProject;
}

/** Tokens (input + output) one run of a project has spent so far. */
export async function runTokensUsed(orm: Orm, projectId: string, run: number): Promise<number> {
  const usage = (await projectTokenUsage(orm, [projectId])).get(projectId)?.get(run) ?? NO_USAGE;
  return usage.inputTokens + usage.outputTokens;
}
