import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../../../../accounts/principal.js';
import { agentSchedule, changeAgentSchedule } from '../../../../../schedules/change-schedule.js';
import { checkCron } from '../../../../../schedules/next-run.js';
import { presentSchedule, scheduleSchema } from '../../../../../schedules/representation.js';
import { listSchedules } from '../../../../../schedules/schedule-store.js';
import { UnknownAgentError } from '../../../../../tasks/task-queue.js';
import { HttpProblem } from '../../../../problem.js';

/** A year: longer periods are better written as a cron expression. */
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

const agentType = z.string().min(1).max(64).describe('the agent type, e.g. guardian');

const changeFields = {
  interval_seconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_INTERVAL_SECONDS)
    .optional()
    .describe('run every this many seconds (1 to a year; the same floor as the *_INTERVAL variables). Clears `cron`.'),
  cron: z
    .string()
    .max(200)
    .nullable()
    .optional()
    .describe(
      'run at the times this cron expression names, in UTC: 5 fields (minute hour day-of-month month ' +
        'day-of-week), 6 with leading seconds, or an alias such as @hourly. Clears `interval_seconds`. ' +
        "`null` goes back to an interval: the one given, or the agent's from the environment.",
    ),
  enabled: z.boolean().optional().describe('false stops scheduled runs (manual runs still work)'),
};

const refineChange = (
  body: { interval_seconds?: number | undefined; cron?: string | null | undefined; enabled?: boolean | undefined },
  context: z.RefinementCtx,
) => {
  if (body.interval_seconds === undefined && body.cron === undefined && body.enabled === undefined) {
    context.addIssue({
      code: 'custom',
      path: [],
      message: 'must change at least one of interval_seconds, cron, enabled',
    });
  }
  if (typeof body.cron !== 'string') return;
  if (body.interval_seconds !== undefined) {
    context.addIssue({ code: 'custom', path: ['cron'], message: 'give either interval_seconds or cron, not both' });
    return;
  }
  const checked = checkCron(body.cron);
  if (!checked.ok) context.addIssue({ code: 'custom', path: ['cron'], message: checked.message });
};

const changeBody = z.strictObject(changeFields).superRefine(refineChange);
const changeNamedBody = z
  .strictObject({ agent_type: agentType.describe('the schedule to change'), ...changeFields })
  .superRefine(refineChange);

/** An agent type that is not registered is 404 `unknown_agent`. */
const unknownAgent = (error: unknown) =>
  error instanceof UnknownAgentError ? new HttpProblem(404, error.code, 'Not Found', error.message) : error;

const CHANGE_DESCRIPTION =
  "Changes an agent's schedule at run time; the change is stored (it outlives restarts) and every process's " +
  'scheduler sees it at once. Setting an interval clears the cron expression and the other way round. A new ' +
  'interval or cron expression, or enabling a disabled schedule, counts the next period from now; changing ' +
  'nothing else keeps the next run where it was. However many processes run, each period is run once. An ' +
  'invalid cron expression is 400 naming `body.cron`; an unknown agent type is 404 `unknown_agent`.';

/**
 * When each agent runs by itself: an interval from the environment (IMPERIUM_LEARNING_INTERVAL, …) until
 * someone changes it here, or a cron expression. The scheduler is src/schedules/scheduler.ts.
 */
const scheduleRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'agents:read' as const } };
  const write = { auth: { scope: 'agents:run' as const } };

  const dependencies = {
    orm,
    defaultIntervalSeconds: (type: string) =>
      services.agents
        .listScheduled()
        .find((definition) => definition.type === type)
        ?.defaultIntervalSeconds(services.config),
    wake: () => services.runtime.scheduler?.wake(),
  };

  async function change(type: string, body: z.infer<typeof changeBody>, principal: Principal) {
    const change = { intervalSeconds: body.interval_seconds, cron: body.cron, enabled: body.enabled };
    try {
      return presentSchedule(await changeAgentSchedule(dependencies, type, change, principal.label));
    } catch (error) {
      throw unknownAgent(error);
    }
  }

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: "Every registered agent's schedule",
        tags: ['schedules'],
        response: { 200: z.array(scheduleSchema) },
      },
    },
    async () =>
      (
        await listSchedules(
          orm,
          services.agents.listScheduled().map((definition) => definition.type),
        )
      ).map(presentSchedule),
  );

  app.patch(
    '/',
    {
      config: write,
      schema: {
        summary: 'Change a schedule named in the body',
        description: `The same as PATCH /api/v1/schedules/{agent_type}, with the agent type in the body. ${CHANGE_DESCRIPTION}`,
        tags: ['schedules'],
        body: changeNamedBody,
        response: { 200: scheduleSchema },
      },
    },
    async (request) => {
      const { agent_type: type, ...body } = request.body;
      return change(type, body, request.principal!);
    },
  );

  app.get(
    '/:agent_type',
    {
      config: read,
      schema: {
        summary: "An agent's schedule",
        tags: ['schedules'],
        params: z.object({ agent_type: agentType }),
        response: { 200: scheduleSchema },
      },
    },
    async (request) => {
      const registered = (type: string) =>
        services.agents.listScheduled().some((definition) => definition.type === type);
      try {
        return presentSchedule(await agentSchedule(orm, registered, request.params.agent_type));
      } catch (error) {
        throw unknownAgent(error);
      }
    },
  );

  app.patch(
    '/:agent_type',
    {
      config: write,
      schema: {
        summary: "Change an agent's interval or cron expression, or enable or disable it",
        description: CHANGE_DESCRIPTION,
        tags: ['schedules'],
        params: z.object({ agent_type: agentType }),
        body: changeBody,
        response: { 200: scheduleSchema },
      },
    },
    async (request) => change(request.params.agent_type, request.body, request.principal!),
  );
};

export default scheduleRoutes;
