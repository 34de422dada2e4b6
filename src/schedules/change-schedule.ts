import type { Orm } from '../db/database.js';
import { UnknownAgentError } from '../tasks/task-queue.js';
import { checkCron } from './next-run.js';
import { changeSchedule, findSchedule, type ScheduleRow } from './schedule-store.js';

/** The registered agents, as schedules see them: their default interval, undefined for an unknown type. */
export type DefaultIntervals = (agentType: string) => number | undefined;

export interface ScheduleDependencies {
  readonly orm: Orm;
  readonly defaultIntervalSeconds: DefaultIntervals;
  /** tells this process's scheduler to look at once (the others hear the NOTIFY the change sends) */
  readonly wake: () => void;
}

/**
 * Changes a registered agent's schedule at run time: an interval (clearing the cron expression), a cron
 * expression (already checked by checkCron; null goes back to an interval) and whether it runs. The change
 * is stored, so it outlives restarts. UnknownAgentError for an agent type that is not registered.
 */
export async function changeAgentSchedule(
  dependencies: ScheduleDependencies,
  agentType: string,
  change: {
    readonly intervalSeconds?: number | undefined;
    readonly cron?: string | null | undefined;
    readonly enabled?: boolean | undefined;
  },
  updatedBy: string,
): Promise<ScheduleRow> {
  const defaultIntervalSeconds = dependencies.defaultIntervalSeconds(agentType);
  if (defaultIntervalSeconds === undefined) throw new UnknownAgentError(agentType);
  const cron = typeof change.cron === 'string' ? (checkCron(change.cron) as { cron: string }).cron : change.cron;
  const row = await changeSchedule(
    dependencies.orm,
    agentType,
    { intervalSeconds: change.intervalSeconds, cron, enabled: change.enabled },
    { updatedBy, defaultIntervalSeconds },
  );
  if (!row) throw new UnknownAgentError(agentType);
  dependencies.wake();
  return row;
}

/** A registered agent's schedule; UnknownAgentError for an agent type that is not registered. */
export async function agentSchedule(
  orm: Orm,
  registered: (agentType: string) => boolean,
  agentType: string,
): Promise<ScheduleRow> {
  const row = registered(agentType) ? await findSchedule(orm, agentType) : undefined;
  if (!row) throw new UnknownAgentError(agentType);
  return row;
}
