import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTaskArtifacts } from '../../../../../projects/artifact-store.js';
import { artifactSchema, presentArtifact } from '../../../../../projects/representation.js';
import { taskRepresentation, taskSchema } from '../../../../../tasks/representation.js';
import { cancelTask } from '../../../../../tasks/cancel-task.js';
import { requireTask } from '../../../../../tasks/require-task.js';
import { retryTask } from '../../../../../tasks/retry-task.js';
import { taskLogReport } from '../../../../../tasks/task-log-report.js';
import { listTasks } from '../../../../../tasks/task-queries.js';
import { notFound } from '../../../../problem.js';
import { idParams, withTotalCount } from '../representations.js';
import { taskListFilter, taskListQuery } from '../task-list-query.js';
import { taskLocation } from '../task-submission.js';

const logPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        attempt: z.number().int(),
        level: z.enum(['debug', 'info', 'warn', 'error']),
        message: z.string(),
        at: z.string(),
      }),
    ),
    next_after: z
      .number()
      .int()
      .nullable()
      .describe('pass as `after` for the lines that follow (also while the task still runs); null when none yet'),
    has_more: z.boolean().describe('more lines are stored after this page'),
    task_status: taskSchema.shape.status,
    logs_dropped: z
      .number()
      .int()
      .describe('lines not kept because an attempt reached its log limit, all attempts together'),
    attempts: z
      .array(
        z.object({
          attempt: z.number().int(),
          lines: z.number().int().describe('lines this attempt kept'),
          dropped: z.number().int().describe('lines this attempt wrote past the limit, not kept'),
        }),
      )
      .describe('per attempt that logged anything, first attempt first: each attempt has its own limit'),
  })
  .meta({ id: 'TaskLogPage' });

const tasks: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'agents:read' as const } };
  const run = { auth: { scope: 'agents:run' as const } };

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: 'List tasks, newest first',
        description: 'Dead letters (tasks that failed for good and were not retried) are `dead_letter=true`.',
        tags: ['tasks'],
        querystring: taskListQuery,
        response: { 200: z.array(taskSchema) },
      },
    },
    async (request, reply) =>
      withTotalCount(reply, await listTasks(orm, taskListFilter(request.query))).map(taskRepresentation),
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: { summary: 'Get a task', tags: ['tasks'], params: idParams, response: { 200: taskSchema } },
    },
    async (request) => taskRepresentation(await requireTask(orm, request.params.id)),
  );

  app.post(
    '/:id/cancel',
    {
      config: run,
      schema: {
        summary: 'Cancel a task',
        description:
          'A waiting task is cancelled at once (200). A running one is marked (202, `cancel_requested`): its ' +
          'worker aborts it and records `cancelled` shortly after. A finished task is 409 `task_finished`.',
        tags: ['tasks'],
        params: idParams,
        response: { 200: taskSchema, 202: taskSchema },
      },
    },
    async (request, reply) => {
      const task = await cancelTask({ orm, tasks: services.tasks }, request.params.id);
      return reply.code(task.status === 'running' ? 202 : 200).send(taskRepresentation(task));
    },
  );

  app.post(
    '/:id/retry',
    {
      config: run,
      schema: {
        summary: 'Retry a failed or cancelled task as a new task',
        description:
          'Creates a task with the same agent, input and priority (`trigger: retry`, `retry_of` this task) and ' +
          'takes this one out of the dead letters, in one transaction; `Location` is the new task. Other states ' +
          'are 409 `task_not_retryable`; a task retried already is 409 `already_retried` naming the retry.',
        tags: ['tasks'],
        params: idParams,
        response: { 202: taskSchema },
      },
    },
    async (request, reply) => {
      const task = await retryTask(services.database, services.tasks, request.params.id, request.principal!.label);
      if (!task) throw notFound(`No task ${request.params.id}`);
      return reply.code(202).header('location', taskLocation(task)).send(taskRepresentation(task));
    },
  );

  app.get(
    '/:id/logs',
    {
      config: read,
      schema: {
        summary: "A task's log lines, oldest first",
        description:
          'Page with `after` (the `next_after` of the previous page). Each line names the attempt that wrote ' +
          'it. Each attempt keeps at most 1,000 lines (a retry starts afresh); `attempts` counts the lines ' +
          'kept and dropped per attempt. Live lines are also published on `tasks/{id}`.',
        tags: ['tasks'],
        params: idParams,
        querystring: z.object({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .max(Number.MAX_SAFE_INTEGER)
            .optional()
            .describe('a log line id: only lines after it'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: logPageSchema },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      const { task, page, attempts } = await taskLogReport(orm, request.params.id, after, limit);
      const last = page.rows.at(-1);
      return {
        items: page.rows.map((line) => ({
          id: line.id,
          attempt: line.attempt,
          level: line.level,
          message: line.message,
          at: line.at.toISOString(),
        })),
        next_after: last?.id ?? after ?? null,
        has_more: page.hasMore,
        task_status: task.status,
        logs_dropped: task.logsDropped,
        attempts,
      };
    },
  );

  app.get(
    '/:id/artifacts',
    {
      config: { auth: { scope: 'projects:read' as const } },
      schema: {
        summary: 'The artifacts a task stored (a pipeline stage: requirements, OpenAPI document, SQL, build log, …)',
        description: 'Each is downloaded from `GET /api/v1/projects/{project_id}/artifacts/{id}`.',
        tags: ['tasks'],
        params: idParams,
        response: { 200: z.array(artifactSchema) },
      },
    },
    async (request) => {
      await requireTask(orm, request.params.id);
      return (await listTaskArtifacts(orm, request.params.id)).map(presentArtifact);
    },
  );
};

export default tasks;
