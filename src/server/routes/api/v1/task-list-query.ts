import { z } from 'zod';
import type { TaskFilter } from '../../../../tasks/task-queries.js';
import type { TaskStatus } from '../../../../tasks/task-store.js';
import { paginationQuery } from './representations.js';

const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
const TASK_TRIGGERS = ['manual', 'schedule', 'event', 'retry'] as const;

const instant = z.iso.datetime({ offset: true });

/** The filters of a task list (GET /api/v1/tasks, GET /api/v1/agents/{id}/tasks). */
export const taskListQuery = paginationQuery.extend({
  agent_type: z.string().max(64).optional(),
  agent_id: z.uuid().optional(),
  status: z
    .string()
    .max(200)
    .optional()
    .transform((value, context) => {
      if (!value) return undefined;
      const statuses = value.split(',').map((status) => status.trim());
      const unknown = statuses.filter((status) => !(TASK_STATUSES as readonly string[]).includes(status));
      if (unknown.length) {
        context.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}` });
        return z.NEVER;
      }
      return statuses as TaskStatus[];
    })
    .describe(`one status or several separated by commas: ${TASK_STATUSES.join(', ')}`),
  trigger: z.enum(TASK_TRIGGERS).optional(),
  dead_letter: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true'))
    .describe('true: only tasks that failed for good and were not retried since'),
  retry_of: z.uuid().optional().describe('only the retries of this task'),
  created_after: instant.optional().describe('created at or after (ISO 8601)'),
  created_before: instant.optional().describe('created before (ISO 8601)'),
});

export function taskListFilter(query: Partial<z.infer<typeof taskListQuery>> & { limit: number; skip: number }) {
  return {
    agentType: query.agent_type,
    agentId: query.agent_id,
    statuses: query.status,
    trigger: query.trigger,
    deadLetter: query.dead_letter,
    retryOf: query.retry_of,
    createdAfter: query.created_after ? new Date(query.created_after) : undefined,
    createdBefore: query.created_before ? new Date(query.created_before) : undefined,
    limit: query.limit,
    skip: query.skip,
  } satisfies TaskFilter;
}
