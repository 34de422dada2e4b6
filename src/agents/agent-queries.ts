import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agents, schedules, tasks } from '../db/schema.js';
import { FINAL_STATUSES, findAgent, type AgentRow, type TaskRow } from '../tasks/task-store.js';

export { findAgent };

export interface AgentFilter {
  readonly type?: string | undefined;
  readonly status?: AgentRow['status'] | undefined;
  readonly limit: number;
  readonly skip: number;
}

export async function listAgents(orm: Orm, filter: AgentFilter): Promise<{ rows: AgentRow[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.type) conditions.push(eq(agents.type, filter.type));
  if (filter.status) conditions.push(eq(agents.status, filter.status));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    orm.select().from(agents).where(where).orderBy(asc(agents.name)).limit(filter.limit).offset(filter.skip),
    orm.select({ total: count() }).from(agents).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}

/** Whether any agent of this type has a row (registered here or not). */
export async function hasAgentOfType(orm: Orm, type: string): Promise<boolean> {
  const [row] = await orm.select({ id: agents.id }).from(agents).where(eq(agents.type, type)).limit(1);
  return row !== undefined;
}

export async function findAgentsByName(orm: Orm, names: readonly string[]): Promise<AgentRow[]> {
  if (names.length === 0) return [];
  return orm
    .select()
    .from(agents)
    .where(inArray(agents.name, [...names]));
}

export interface AgentActivity {
  readonly queued: number;
  readonly retrying: number;
  readonly running: number;
  readonly currentTask: Pick<TaskRow, 'id' | 'progress' | 'startedAt'> | undefined;
  readonly lastRun: Pick<TaskRow, 'id' | 'status' | 'finishedAt'> | undefined;
}

/** What each agent is doing: waiting and running task counts, its latest running task and its latest finished one. */
export async function agentActivity(orm: Orm, agentIds: readonly string[]): Promise<Map<string, AgentActivity>> {
  const ids = [...agentIds];
  const activity = new Map<string, AgentActivity>();
  if (ids.length === 0) return activity;
  const [counts, current, lastRuns] = await Promise.all([
    orm
      .select({ agentId: tasks.agentId, status: tasks.status, count: count() })
      .from(tasks)
      .where(and(inArray(tasks.agentId, ids), inArray(tasks.status, ['queued', 'retrying', 'running'])))
      .groupBy(tasks.agentId, tasks.status),
    orm
      .selectDistinctOn([tasks.agentId], {
        agentId: tasks.agentId,
        id: tasks.id,
        progress: tasks.progress,
        startedAt: tasks.startedAt,
      })
      .from(tasks)
      .where(and(inArray(tasks.agentId, ids), eq(tasks.status, 'running')))
      .orderBy(tasks.agentId, desc(tasks.startedAt)),
    Promise.all(ids.map((id) => lastFinishedTask(orm, id))),
  ]);
  for (const [index, agentId] of ids.entries()) {
    const countOf = (status: TaskRow['status']) =>
      counts.find((row) => row.agentId === agentId && row.status === status)?.count ?? 0;
    activity.set(agentId, {
      queued: countOf('queued'),
      retrying: countOf('retrying'),
      running: countOf('running'),
      currentTask: current.find((row) => row.agentId === agentId),
      lastRun: lastRuns[index],
    });
  }
  return activity;
}

async function lastFinishedTask(orm: Orm, agentId: string) {
  const [row] = await orm
    .select({ id: tasks.id, status: tasks.status, finishedAt: tasks.finishedAt })
    .from(tasks)
    .where(and(eq(tasks.agentId, agentId), inArray(tasks.status, [...FINAL_STATUSES])))
    .orderBy(sql`${tasks.finishedAt} desc nulls last`)
    .limit(1);
  return row;
}

/** The next scheduled run of each agent type that has an enabled schedule. */
export async function nextScheduledRuns(orm: Orm, agentTypes: readonly string[]): Promise<Map<string, Date>> {
  if (agentTypes.length === 0) return new Map();
  const rows = await orm
    .select({ agentType: schedules.agentType, nextRunAt: schedules.nextRunAt })
    .from(schedules)
    .where(and(inArray(schedules.agentType, [...agentTypes]), eq(schedules.enabled, true)));
  return new Map(rows.map((row) => [row.agentType, row.nextRunAt]));
}
