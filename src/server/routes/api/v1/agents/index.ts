import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAgents } from '../../../../../agents/agent-queries.js';
import { agentTasks, submitTaskToAgent } from '../../../../../agents/agent-tasks.js';
import { createDeclarativeBody, updateDeclarativeBody } from '../../../../../agents/declarative/config.js';
import {
  changeDeclarativeAgent,
  createDeclarativeAgent,
  removeDeclarativeAgent,
} from '../../../../../agents/manage-declarative-agent.js';
import { pauseAndPublish, resumeAndPublish } from '../../../../../agents/pause-and-publish.js';
import { AGENT_STATUSES, agentSchema, presentAgent } from '../../../../../agents/representation.js';
import { requireAgent } from '../../../../../agents/require-agent.js';
import { taskRepresentation, taskSchema } from '../../../../../tasks/representation.js';
import { idParams, paginationQuery, withTotalCount } from '../representations.js';
import { submissionHeaders, taskLocation } from '../task-submission.js';
import { taskListQuery, taskListFilter } from '../task-list-query.js';

const submitBody = z
  .object({
    input: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("validated against the agent's input schema (`input_schema`)"),
    priority: z
      .number()
      .int()
      .min(-1000)
      .max(1000)
      .optional()
      .describe('higher runs first among waiting tasks of the agent (default 0)'),
  })
  .nullish();

const agents: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'agents:read' as const } };
  const run = { auth: { scope: 'agents:run' as const } };

  const present = (agent: Parameters<typeof presentAgent>[0]) => presentAgent(agent, services.agents.get(agent.type));

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: 'List agents',
        tags: ['agents'],
        querystring: paginationQuery.extend({
          type: z.string().max(64).optional(),
          status: z.enum(AGENT_STATUSES).optional(),
        }),
        response: { 200: z.array(agentSchema) },
      },
    },
    async (request, reply) => withTotalCount(reply, await listAgents(orm, request.query)).map(present),
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: { summary: 'Get an agent', tags: ['agents'], params: idParams, response: { 200: agentSchema } },
    },
    async (request) => present(await requireAgent(orm, request.params.id)),
  );

  // Declarative agents (src/agents/declarative/, docs/agents.md): rows of type `declarative` whose config
  // holds instructions and schemas; the one registered `declarative` definition runs them all.
  app.post(
    '/',
    {
      config: run,
      schema: {
        summary: 'Create a declarative LLM agent',
        description:
          'Stores an agent of type `declarative` that answers each task with a JSON object matching ' +
          '`output_schema`, asked from the configured language model with `instructions` as the system prompt. ' +
          'Tasks are submitted with POST /api/v1/agents/{id}/tasks; their input must match `input_schema`. ' +
          'Schemas outside the supported subset are 400 with the field; a name in use (or a registered agent ' +
          'type) is 409 `agent_name_taken`. Runs need an LLM provider: without one a task fails with code ' +
          '`llm_not_configured`. See docs/agents.md.',
        tags: ['agents'],
        body: createDeclarativeBody,
        response: { 201: agentSchema },
      },
    },
    async (request, reply) => {
      const agent = await createDeclarativeAgent({ orm, agents: services.agents }, request.body);
      return reply.code(201).header('location', `/api/v1/agents/${agent.id}`).send(present(agent));
    },
  );

  app.patch(
    '/:id',
    {
      config: run,
      schema: {
        summary: 'Change a declarative agent',
        description:
          'Changes its description, instructions, schemas or model; the other fields keep their value. A built-in ' +
          'agent is 409 `agent_not_declarative`. Queued tasks keep their input; each task is checked against ' +
          'the schemas current when it runs.',
        tags: ['agents'],
        params: idParams,
        body: updateDeclarativeBody,
        response: { 200: agentSchema },
      },
    },
    async (request) => present(await changeDeclarativeAgent(orm, request.params.id, request.body)),
  );

  app.delete(
    '/:id',
    {
      config: run,
      schema: {
        summary: 'Delete a declarative agent',
        description:
          'Deletes the agent with its finished tasks and their logs. A built-in agent is 409 ' +
          '`agent_not_declarative`; an agent with tasks waiting or running is 409 `agent_busy` (cancel them first).',
        tags: ['agents'],
        params: idParams,
        response: { 204: z.null().describe('deleted') },
      },
    },
    async (request, reply) => {
      await removeDeclarativeAgent(orm, request.params.id);
      return reply.code(204).send(null);
    },
  );

  const control = { orm, events: services.events, tasks: services.tasks, log: app.log };

  app.post(
    '/:id/pause',
    {
      config: run,
      schema: {
        summary: 'Pause an agent',
        description:
          'Workers in every process stop starting its tasks; tasks already running finish. New tasks may still ' +
          'be submitted: they wait. Pausing a paused agent changes nothing.',
        tags: ['agents'],
        params: idParams,
        response: { 200: agentSchema },
      },
    },
    async (request) => present(await pauseAndPublish(control, request.params.id)),
  );

  app.post(
    '/:id/resume',
    {
      config: run,
      schema: {
        summary: 'Resume a paused agent',
        description: 'Its waiting tasks start again. Resuming an agent that is not paused changes nothing.',
        tags: ['agents'],
        params: idParams,
        response: { 200: agentSchema },
      },
    },
    async (request) => present(await resumeAndPublish(control, request.params.id)),
  );

  app.post(
    '/:id/tasks',
    {
      config: run,
      schema: {
        summary: 'Submit a task to an agent',
        description:
          'Answers 202 with the queued task (`Location` is the task). Input that does not match the agent is ' +
          '400 with each field; an id in it that names nothing (`repository_id`, `proposal_id`, `experiment_id`) is ' +
          '404 `repository_not_found` (…); an agent whose type this process cannot run is 409 `agent_not_registered`.',
        tags: ['agents', 'tasks'],
        params: idParams,
        headers: submissionHeaders,
        body: submitBody,
        response: { 200: taskSchema, 202: taskSchema },
      },
    },
    async (request, reply) => {
      const { task, created } = await submitTaskToAgent(services, request.params.id, {
        input: request.body?.input ?? {},
        priority: request.body?.priority,
        idempotencyKey: request.headers['idempotency-key'],
        createdBy: request.principal!.label,
      });
      return reply
        .code(created ? 202 : 200)
        .header('location', taskLocation(task))
        .send(taskRepresentation(task));
    },
  );

  app.get(
    '/:id/tasks',
    {
      config: read,
      schema: {
        summary: "List an agent's tasks, newest first",
        tags: ['agents', 'tasks'],
        params: idParams,
        querystring: taskListQuery.omit({ agent_id: true, agent_type: true }),
        response: { 200: z.array(taskSchema) },
      },
    },
    async (request, reply) => {
      const page = await agentTasks(orm, request.params.id, taskListFilter(request.query));
      return withTotalCount(reply, page).map(taskRepresentation);
    },
  );
};

export default agents;
