import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findExperiment, listExperiments } from '../../../sandbox/experiment-store.js';
import { experimentSchema, presentExperiment, presentRun, runSchema } from '../../../sandbox/representation.js';
import { findRun, proposalRuns } from '../../../sandbox/run-store.js';
import { ExperimentNotFoundError } from '../../../sandbox/experiment-not-found-error.js';
import { startExperiment } from '../../../sandbox/start-experiment.js';
import { notFound } from '../../problem.js';
import { idParams, paginationQuery, withTotalCount } from '../api/v1/representations.js';
import { taskLocation } from '../api/v1/task-submission.js';

const experimentBody = z.strictObject({
  repository_id: z.uuid(),
  proposal_id: z.uuid().optional().describe('compare with this proposal applied; without it, only the base is timed'),
  command: z.string().trim().min(1).max(2000).describe('run with /bin/sh -c in the sandbox'),
  runs: z.number().int().min(1).max(50).default(5).describe('runs per variant'),
});

/** Sandbox experiments and stored check runs (`/sandbox`). */
const sandboxRoutes: FastifyPluginAsyncZod = async (app) => {
  const { database, tasks: queue } = app.services;
  const orm = database.orm;

  app.post(
    '/experiments',
    {
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Time a command on the base commit and with a proposal, runs alternating',
        description:
          'Stores the experiment and queues a sandbox task in one transaction; answers 202 at once with ' +
          '`Location` pointing at the experiment. Timings are the commands’ wall times in milliseconds. ' +
          'Needs `agents:run` (the maintainer role). 503 `sandbox_unavailable` (with `reason` and `fix`) ' +
          'when the sandbox cannot run commands here, as readiness reports it.',
        tags: ['sandbox'],
        body: experimentBody,
        response: { 202: experimentSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const experiment = await startExperiment(
        { orm, config: app.services.config, tasks: queue },
        {
          repositoryId: body.repository_id,
          proposalId: body.proposal_id,
          command: body.command,
          runs: body.runs,
          createdBy: request.principal!.label,
        },
      );
      return reply
        .code(202)
        .header('location', `/sandbox/experiments/${experiment.experiment.id}`)
        .header('x-task-location', taskLocation(experiment.task))
        .send(presentExperiment(experiment.experiment));
    },
  );

  app.get(
    '/experiments',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: 'List sandbox experiments, newest first',
        tags: ['sandbox'],
        querystring: paginationQuery.extend({
          repository_id: z.uuid().optional(),
          proposal_id: z.uuid().optional(),
        }),
        response: { 200: z.array(experimentSchema) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await listExperiments(orm, {
        repositoryId: query.repository_id,
        proposalId: query.proposal_id,
        limit: query.limit,
        skip: query.skip,
      });
      return withTotalCount(reply, { rows: page.items.map(presentExperiment), total: page.total });
    },
  );

  app.get(
    '/experiments/:id',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: 'One sandbox experiment',
        tags: ['sandbox'],
        params: idParams,
        response: { 200: experimentSchema },
      },
    },
    async (request) => {
      const row = await findExperiment(orm, request.params.id);
      if (!row) throw new ExperimentNotFoundError(request.params.id);
      return presentExperiment(row);
    },
  );

  app.get(
    '/runs',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: "A proposal's sandbox runs, newest first",
        description: 'Each run with every command’s exit code, duration and bounded output (head and tail).',
        tags: ['sandbox'],
        querystring: z.object({ proposal_id: z.uuid() }),
        response: { 200: z.array(runSchema) },
      },
    },
    async (request) => (await proposalRuns(orm, request.query.proposal_id)).map(presentRun),
  );

  app.get(
    '/runs/:id',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'One sandbox run (a proposal’s or a baseline)',
        tags: ['sandbox'],
        params: idParams,
        response: { 200: runSchema },
      },
    },
    async (request) => {
      const row = await findRun(orm, request.params.id);
      if (!row) throw notFound(`No sandbox run ${request.params.id}.`);
      return presentRun(row);
    },
  );
};

export default sandboxRoutes;
