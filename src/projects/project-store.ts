import { and, asc, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { projects, projectStages, tasks, type ProjectFailure } from '../db/schema.js';
import { STAGES, type StageName } from './stages.js';

export type Project = typeof projects.$inferSelect;
export type NewProject = typeof projects.$inferInsert;
export type ProjectStage = typeof projectStages.$inferSelect;
export type ProjectStatus = Project['status'];
export type StageStatus = ProjectStage['status'];

export async function insertProject(orm: Orm, values: NewProject): Promise<Project> {
  return orm.transaction(async (transaction) => {
    const [project] = await transaction.insert(projects).values(values).returning();
    if (!project) throw new Error('The project was not stored.');
    await transaction
      .insert(projectStages)
      .values(STAGES.map((stage, position) => ({ projectId: project.id, stage: stage.name, position })));
    return project;
  });
}

export async function findProject(orm: Orm, id: string): Promise<Project | undefined> {
  const [project] = await orm.select().from(projects).where(eq(projects.id, id));
  return project;
}

/** The project row, locked until the transaction ends: start, cancel, retry and stage ends take turns. */
export async function lockProject(orm: Orm, id: string): Promise<Project | undefined> {
  const [project] = await orm.select().from(projects).where(eq(projects.id, id)).for('update');
  return project;
}

export interface ProjectFilter {
  readonly status?: ProjectStatus | undefined;
  readonly ownerId?: string | undefined;
  readonly limit: number;
  readonly skip: number;
}

export async function listProjects(orm: Orm, filter: ProjectFilter): Promise<{ items: Project[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(projects.status, filter.status));
  if (filter.ownerId) conditions.push(eq(projects.ownerId, filter.ownerId));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const items = await orm
    .select()
    .from(projects)
    .where(where)
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(filter.limit)
    .offset(filter.skip);
  const [total] = await orm.select({ value: count() }).from(projects).where(where);
  return { items, total: total?.value ?? 0 };
}

export async function updateProject(orm: Orm, id: string, changes: Partial<NewProject>): Promise<Project | undefined> {
  const [project] = await orm.update(projects).set(changes).where(eq(projects.id, id)).returning();
  return project;
}

/** Updates the project only while it has `status`; undefined when it has not (or is gone). */
export async function updateProjectIn(
  orm: Orm,
  id: string,
  status: ProjectStatus,
  changes: Partial<NewProject>,
): Promise<Project | undefined> {
  const [project] = await orm
    .update(projects)
    .set(changes)
    .where(and(eq(projects.id, id), eq(projects.status, status)))
    .returning();
  return project;
}

export async function deleteProject(orm: Orm, id: string): Promise<Project | undefined> {
  const [project] = await orm.delete(projects).where(eq(projects.id, id)).returning();
  return project;
}

export async function listStages(orm: Orm, projectId: string): Promise<ProjectStage[]> {
  return orm
    .select()
    .from(projectStages)
    .where(eq(projectStages.projectId, projectId))
    .orderBy(asc(projectStages.position));
}

export async function findStage(orm: Orm, projectId: string, stage: StageName): Promise<ProjectStage | undefined> {
  const [row] = await orm
    .select()
    .from(projectStages)
    .where(and(eq(projectStages.projectId, projectId), eq(projectStages.stage, stage)));
  return row;
}

export async function updateStage(
  orm: Orm,
  projectId: string,
  stage: StageName,
  changes: Partial<typeof projectStages.$inferInsert>,
): Promise<ProjectStage | undefined> {
  const [row] = await orm
    .update(projectStages)
    .set(changes)
    .where(and(eq(projectStages.projectId, projectId), eq(projectStages.stage, stage)))
    .returning();
  return row;
}

/** Sets stages (from a position on) back to pending for a new run. */
export async function resetStages(
  orm: Orm,
  projectId: string,
  stages: readonly StageName[],
  run: number,
): Promise<void> {
  if (stages.length === 0) return;
  await orm
    .update(projectStages)
    .set({
      status: 'pending',
      run,
      taskId: null,
      attempts: 0,
      commit: null,
      reason: null,
      startedAt: null,
      finishedAt: null,
    })
    .where(and(eq(projectStages.projectId, projectId), inArray(projectStages.stage, [...stages])));
}

/** Marks the stages of a run that have not ended as cancelled (or skipped, with a reason). */
export async function endOpenStages(
  orm: Orm,
  projectId: string,
  status: 'cancelled' | 'skipped',
  reason: string,
  at: Date,
): Promise<void> {
  await orm
    .update(projectStages)
    .set({ status, reason, finishedAt: at })
    .where(
      and(eq(projectStages.projectId, projectId), inArray(projectStages.status, ['pending', 'queued', 'running'])),
    );
}

/**
 * The tasks of the project's stages that may still write to its work tree: their stage has not ended (or
 * was cancelled) and the task has not ended either. A cancelled run's handler writes until it notices.
 */
export async function unfinishedStageTasks(orm: Orm, projectId: string): Promise<string[]> {
  const rows = await orm
    .select({ id: tasks.id })
    .from(projectStages)
    .innerJoin(tasks, eq(tasks.id, projectStages.taskId))
    .where(
      and(
        eq(projectStages.projectId, projectId),
        // a stage that ended (succeeded, failed, skipped) has done its git work, even while its task returns
        inArray(projectStages.status, ['queued', 'running', 'cancelled']),
        inArray(tasks.status, ['queued', 'running', 'retrying']),
      ),
    );
  return rows.map((row) => row.id);
}

export type { ProjectFailure };
