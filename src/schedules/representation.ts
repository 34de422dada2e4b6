import { z } from 'zod';
import type { ScheduleRow } from './schedule-store.js';

export const scheduleSchema = z
  .object({
    agent_type: z.string(),
    interval_seconds: z.number().int().nullable().describe('runs every this many seconds (null with a cron)'),
    cron: z
      .string()
      .nullable()
      .describe('runs at the times this cron expression names, in UTC (null with an interval)'),
    enabled: z.boolean(),
    next_run_at: z
      .string()
      .nullable()
      .describe('start of the next period, when the next run is enqueued; null while disabled'),
    last_run_at: z.string().nullable().describe('when a scheduled run was last enqueued'),
    last_task_id: z.uuid().nullable().describe('the task of the last scheduled run'),
    updated_by: z
      .string()
      .nullable()
      .describe('who last changed the schedule through the API; null while it follows the environment'),
    updated_at: z.string(),
  })
  .meta({ id: 'Schedule' });

export function presentSchedule(row: ScheduleRow): z.infer<typeof scheduleSchema> {
  return {
    agent_type: row.agentType,
    interval_seconds: row.intervalSeconds,
    cron: row.cron,
    enabled: row.enabled,
    next_run_at: row.enabled ? row.nextRunAt.toISOString() : null,
    last_run_at: row.lastRunAt?.toISOString() ?? null,
    last_task_id: row.lastTaskId,
    updated_by: row.updatedBy,
    updated_at: row.updatedAt.toISOString(),
  };
}
