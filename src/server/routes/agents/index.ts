import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agentMetricsSchema } from '../../../agents/agent-metrics.js';
import { agentRecord, agentStatuses } from '../../../agents/agent-status.js';
import { agentStatusSchema } from '../../../agents/representation.js';
import { taskRepresentation, taskSchema } from '../../../tasks/representation.js';
import { UnknownAgentError } from '../../../tasks/task-queue.js';
import { HttpProblem } from '../../problem.js';
import { submissionHeaders, submitManualTask, taskLocation } from '../api/v1/task-submission.js';

const agentTypeParams = z.object({
  agent_type: z.string().min(1).max(64).describe('the agent type, e.g. guardian'),
});

const runBody = z
  .looseObject({
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("the task's input; without this key, the whole body is the input"),
  })
  .nullish()
  .describe(
    'The task\'s input, either as the body itself (seed style: `{"repository_id": …}`) or under `input`. ' +
      "It is validated against the agent's input schema (see `input_schema` in GET /api/v1/agents).",
  );

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

const unknownAgent = (agentType: string) => new UnknownAgentError(agentType);

/** The seed-compatible agent routes (`/agents/…`). The platform API is under /api/v1/agents and /api/v1/tasks. */
const agentRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;

  app.get(
    '/status',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: 'Status of every registered agent',
        description:
          'Per agent: its stored status, the task it runs now, its last finished task, its next scheduled run, ' +
          'and how many of its tasks wait and run, over every process.',
        tags: ['agents'],
        response: { 200: z.array(agentStatusSchema) },
      },
    },
    async () => {
      const statuses = await agentStatuses(
        orm,
        services.agents.list().map((definition) => definition.type),
      );
      return statuses.map(({ agent, activity, nextRun }) => {
        const current = activity?.currentTask;
        const last = activity?.lastRun;
        return {
          id: agent.id,
          type: agent.type,
          name: agent.name,
          description: agent.description,
          status: agent.status,
          last_error: agent.lastError,
          current_task: current
            ? { id: current.id, progress: current.progress, started_at: iso(current.startedAt) }
            : null,
          last_run: last
            ? {
                id: last.id,
                status: last.status as 'succeeded' | 'failed' | 'cancelled',
                finished_at: iso(last.finishedAt),
              }
            : null,
          next_run: iso(nextRun),
          queue_depth: (activity?.queued ?? 0) + (activity?.retrying ?? 0),
          running: activity?.running ?? 0,
        };
      });
    },
  );

  app.post(
    '/:agent_type/run',
    {
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Run an agent now',
        description:
          'Enqueues a task (trigger `manual`) and answers 202 with it at once; `Location` is the task ' +
          '(GET /api/v1/tasks/{id}; its progress is also published on the `tasks/{id}` topic). An unknown agent ' +
          'type is 404 `unknown_agent`; input that does not match the agent is 400 with each field; a ' +
          '`repository_id` (`proposal_id`, `experiment_id`) that names nothing is 404 `repository_not_found` ' +
          '(`proposal_not_found`, `experiment_not_found`) and no task is made. A paused ' +
          "agent's task waits until the agent is resumed.",
        tags: ['agents'],
        params: agentTypeParams,
        headers: submissionHeaders,
        body: runBody,
        response: { 200: taskSchema, 202: taskSchema },
      },
    },
    async (request, reply) => {
      const { agent_type: agentType } = request.params;
      if (!services.agents.get(agentType)) throw unknownAgent(agentType);
      const { input, ...rest } = request.body ?? {};
      if (input !== undefined && Object.keys(rest).length > 0) {
        throw new HttpProblem(
          400,
          'validation_failed',
          'Bad Request',
          'Give the input either under `input` or as the body, not both.',
          {
            errors: Object.keys(rest).map((key) => ({ field: `body.${key}`, message: 'is not allowed next to input' })),
          },
        );
      }
      const { task, created } = await submitManualTask(services, request.principal!, {
        agentType,
        input: input ?? rest,
        idempotencyKey: request.headers['idempotency-key'],
        context: { inputField: input === undefined ? 'body' : 'body.input', agentNamedByClient: true },
      });
      return reply
        .code(created ? 202 : 200)
        .header('location', taskLocation(task))
        .send(taskRepresentation(task));
    },
  );

  app.get(
    '/:agent_type/metrics',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: "An agent's record: runs, success rate, duration, retries, proposals",
        description:
          'Computed from the stored tasks and proposals, nothing estimated. With `since`, only what happened at ' +
          'or after it: tasks by finished_at, proposals by created_at, verdicts by their time.',
        tags: ['agents'],
        params: agentTypeParams,
        querystring: z.object({
          since: z
            .union([z.iso.datetime({ offset: true }), z.iso.date()])
            .optional()
            .describe('ISO 8601 date-time, or a date (midnight UTC)'),
        }),
        response: { 200: agentMetricsSchema },
      },
    },
    async (request) => {
      const { agent_type: agentType } = request.params;
      const registered = (type: string) => services.agents.get(type) !== undefined;
      const since = request.query.since ? new Date(request.query.since) : undefined;
      try {
        return await agentRecord(orm, registered, agentType, since);
      } catch (error) {
        if (error instanceof UnknownAgentError) throw unknownAgent(agentType);
        throw error;
      }
    },
  );
};

export default agentRoutes;
