import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pauseAgent, resumeAgent, type AgentChange } from '../../../../agents/agent-control.js';
import { findAgent, listAgents } from '../../../../agents/agent-queries.js';
import { AGENT_STATUSES, agentSchema, presentAgent } from '../../../../agents/representation.js';
import { taskRepresentation, taskSchema } from '../../../../tasks/representation.js';
import { publishAgentEvent } from '../../../../tasks/task-events.js';
import { listTasks } from '../../../../tasks/task-queries.js';
import { notFound } from '../../../problem.js';
import { idParams, paginationQuery, withTotalCount } from './representations.js';
import { submissionHeaders, submitManualTask, taskLocation } from './task-submission.js';
import { taskListQuery, taskListFilter } from './task-list-query.js';

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

  async function existing(id: string) {
    const agent = await findAgent(orm, id);
    if (!agent) throw notFound(`No agent ${id}`);
    return agent;
  }

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
    async (request) => present(await existing(request.params.id)),
  );

  const announce = async (change: AgentChange | undefined, id: string, type: 'agent.paused' | 'agent.resumed') => {
    if (!change) throw notFound(`No agent ${id}`);
    if (change.changed) await publishAgentEvent(services.events, type, change.agent, app.log);
    return present(change.agent);
  };

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
    async (request) => announce(await pauseAgent(orm, request.params.id), request.params.id, 'agent.paused'),
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
    async (request) => {
      const change = await resumeAgent(orm, request.params.id);
      // Workers of this process look at once; other processes' workers find the tasks at their next poll.
      if (change?.changed) services.tasks.wake();
      return announce(change, request.params.id, 'agent.resumed');
    },
  );

  app.post(
    '/:id/tasks',
    {
      config: run,
      schema: {
        summary: 'Submit a task to an agent',
        description:
          'Answers 202 with the queued task (`Location` is the task). Input that does not match the agent is ' +
          '400 with each field; an agent whose type this process cannot run is 409 `agent_not_registered`.',
        tags: ['agents', 'tasks'],
        params: idParams,
        headers: submissionHeaders,
        body: submitBody,
        response: { 200: taskSchema, 202: taskSchema },
      },
    },
    async (request, reply) => {
      const agent = await existing(request.params.id);
      const { task, created } = await submitManualTask(services, request.principal!, {
        agentType: agent.type,
        agent,
        input: request.body?.input ?? {},
        priority: request.body?.priority,
        idempotencyKey: request.headers['idempotency-key'],
        context: { inputField: 'body.input', agentNamedByClient: false },
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
      const agent = await existing(request.params.id);
      const page = await listTasks(orm, { ...taskListFilter(request.query), agentId: agent.id });
      return withTotalCount(reply, page).map(taskRepresentation);
    },
  );
};

export default agents;
