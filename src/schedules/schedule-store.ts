import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { AgentRegistry } from '../tasks/agent-registry.js';
import type { Config } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { schedules } from '../db/schema.js';
import { firstRunAt, type Cadence } from './next-run.js';

export type ScheduleRow = typeof schedules.$inferSelect;

/** NOTIFY channel: a schedule was changed (payload: agent type); schedulers in every process look again. */
export const SCHEDULES_CHANNEL = 'lvlup_schedules';

/**
 * The database's clock. Every process decides what is due and computes period starts from it, so
 * processes whose own clocks disagree still agree on the schedule.
 */
export async function databaseNow(orm: Orm): Promise<Date> {
  // Both drivers answer raw statements with a `rows` array.
  const result: unknown = await orm.execute(sql`select (extract(epoch from now()) * 1000)::float8 as ms`);
  const [row] = (result as { rows: { ms: number | string }[] }).rows;
  return new Date(Math.round(Number(row!.ms)));
}

export const cadenceOf = (row: Pick<ScheduleRow, 'intervalSeconds' | 'cron'>): Cadence => ({
  intervalSeconds: row.intervalSeconds,
  cron: row.cron,
});

/**
 * Gives every registered agent its schedule row, run at start by every process (concurrent starts are
 * harmless: the insert does nothing when the row exists). A new row takes the agent's interval from the
 * environment (IMPERIUM_LEARNING_INTERVAL, …). A row changed through the API (updated_by set) is never
 * touched, so what an operator PATCHed outlives restarts; a row nobody changed follows the environment,
 * so a changed variable takes effect at the next start without being pinned by the first one. Its next
 * run only ever moves earlier then, never later.
 */
export async function ensureScheduleRows(orm: Orm, registry: AgentRegistry, config: Config): Promise<void> {
  const now = await databaseNow(orm);
  for (const definition of registry.listScheduled()) {
    const intervalSeconds = definition.defaultIntervalSeconds(config);
    const nextRunAt = firstRunAt({ intervalSeconds, cron: null }, now);
    await orm
      .insert(schedules)
      .values({ agentType: definition.type, intervalSeconds, cron: null, enabled: true, nextRunAt })
      .onConflictDoNothing({ target: schedules.agentType });
    await orm
      .update(schedules)
      .set({ intervalSeconds, nextRunAt: sql`least(${schedules.nextRunAt}, ${nextRunAt.toISOString()}::timestamptz)` })
      .where(
        and(
          eq(schedules.agentType, definition.type),
          isNull(schedules.updatedBy),
          isNull(schedules.cron),
          sql`${schedules.intervalSeconds} is distinct from ${intervalSeconds}`,
        ),
      );
  }
}

export async function listSchedules(orm: Orm, agentTypes: readonly string[]): Promise<ScheduleRow[]> {
  if (agentTypes.length === 0) return [];
  return orm
    .select()
    .from(schedules)
    .where(inArray(schedules.agentType, [...agentTypes]))
    .orderBy(asc(schedules.agentType));
}

export async function findSchedule(orm: Orm, agentType: string): Promise<ScheduleRow | undefined> {
  const [row] = await orm.select().from(schedules).where(eq(schedules.agentType, agentType));
  return row;
}

/** Enabled schedules of these agents whose period has started, by the database clock. */
export async function dueSchedules(orm: Orm, agentTypes: readonly string[]): Promise<ScheduleRow[]> {
  if (agentTypes.length === 0) return [];
  return orm
    .select()
    .from(schedules)
    .where(
      and(
        eq(schedules.enabled, true),
        lte(schedules.nextRunAt, sql`now()`),
        inArray(schedules.agentType, [...agentTypes]),
      ),
    )
    .orderBy(asc(schedules.nextRunAt));
}

/**
 * Moves a due schedule to its next period, if it is still exactly as `seen` (same period start, same
 * cadence, still enabled). Answers whether this caller made the move; see the scheduler for why that
 * decides who enqueues the period's run.
 */
export async function advanceSchedule(orm: Orm, seen: ScheduleRow, nextRunAt: Date): Promise<boolean> {
  const moved = await orm
    .update(schedules)
    .set({ nextRunAt, lastRunAt: sql`now()` })
    .where(
      and(
        eq(schedules.agentType, seen.agentType),
        // Compared at a Date's millisecond precision: a value written by hand may carry microseconds.
        sql`date_trunc('milliseconds', ${schedules.nextRunAt}) = ${seen.nextRunAt.toISOString()}::timestamptz`,
        eq(schedules.enabled, true),
        sql`${schedules.intervalSeconds} is not distinct from ${seen.intervalSeconds}`,
        sql`${schedules.cron} is not distinct from ${seen.cron}`,
      ),
    )
    .returning({ agentType: schedules.agentType });
  return moved.length === 1;
}

export async function recordScheduledTask(orm: Orm, agentType: string, taskId: string): Promise<void> {
  await orm.update(schedules).set({ lastTaskId: taskId }).where(eq(schedules.agentType, agentType));
}

export interface ScheduleChange {
  readonly intervalSeconds?: number | undefined;
  /** a cron expression already checked by checkCron; null goes back to an interval */
  readonly cron?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

function changedCadence(current: ScheduleRow, change: ScheduleChange, defaultIntervalSeconds: number): Cadence {
  if (change.intervalSeconds !== undefined) return { intervalSeconds: change.intervalSeconds, cron: null };
  if (change.cron === undefined) return cadenceOf(current);
  if (change.cron !== null) return { intervalSeconds: null, cron: change.cron };
  return current.cron === null ? cadenceOf(current) : { intervalSeconds: defaultIntervalSeconds, cron: null };
}

/**
 * Changes a schedule and tells every process's scheduler (the NOTIFY goes out at commit). Setting an
 * interval clears the cron expression and the other way round; `cron: null` goes back to the agent's
 * interval from the environment. A new cadence, or enabling a disabled schedule, starts counting from
 * now; a change that leaves both alone keeps the next run where it was. Answers undefined for no row.
 */
export async function changeSchedule(
  orm: Orm,
  agentType: string,
  change: ScheduleChange,
  options: { updatedBy: string; defaultIntervalSeconds: number },
): Promise<ScheduleRow | undefined> {
  return orm.transaction(async (transaction) => {
    // The row lock orders this change with a scheduler's advance of the same row (see advanceSchedule).
    const [current] = await transaction
      .select()
      .from(schedules)
      .where(eq(schedules.agentType, agentType))
      .for('update');
    if (!current) return undefined;
    const cadence = changedCadence(current, change, options.defaultIntervalSeconds);
    const enabled = change.enabled ?? current.enabled;
    const cadenceChanged = cadence.intervalSeconds !== current.intervalSeconds || cadence.cron !== current.cron;
    const restart = enabled && (cadenceChanged || !current.enabled);
    const [updated] = await transaction
      .update(schedules)
      .set({
        intervalSeconds: cadence.intervalSeconds,
        cron: cadence.cron,
        enabled,
        nextRunAt: restart ? firstRunAt(cadence, await databaseNow(transaction)) : current.nextRunAt,
        updatedBy: options.updatedBy,
        updatedAt: sql`now()`,
      })
      .where(eq(schedules.agentType, agentType))
      .returning();
    await transaction.execute(sql`select pg_notify(${SCHEDULES_CHANNEL}, ${agentType})`);
    return updated;
  });
}
