import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SandboxCommandResult } from '../../db/schema.js';
import { findProposal } from '../../proposals/proposal-store.js';
import { ProposalNotFoundError } from '../../proposals/transition.js';
import { RepositoryNotFoundError } from '../../repositories/repository-not-found-error.js';
import { findRepository } from '../../repositories/repository-store.js';
import { createExperiment } from '../../sandbox/create-experiment.js';
import { ExperimentNotFoundError } from '../../sandbox/experiment-not-found-error.js';
import { findExperiment, listExperiments, type SandboxExperiment } from '../../sandbox/experiment-store.js';
import { findRun, proposalRuns, type SandboxRun } from '../../sandbox/run-store.js';
import { sandboxStatus, unavailableDetail } from '../../sandbox/sandbox-status.js';
import { HttpProblem, notFound } from '../problem.js';
import { idParams, paginationQuery, withTotalCount } from './api/v1/representations.js';
import { taskLocation } from './api/v1/task-submission.js';

const summarySchema = z
  .object({ min: z.number(), median: z.number(), max: z.number(), mean: z.number() })
  .describe('milliseconds');

const experimentSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    proposal_id: z.uuid().nullable(),
    command: z.string(),
    runs: z.number().int(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    commit: z.string().nullable().describe('the base commit both variants start from'),
    isolation: z.enum(['bwrap', 'none']).nullable(),
    base_timings_ms: z.array(z.number()),
    proposal_timings_ms: z.array(z.number()),
    base: summarySchema.nullable(),
    proposal: summarySchema.nullable(),
    ratio: z.number().nullable().describe('proposal median ÷ base median: below 1 is faster'),
    error: z.string().nullable(),
    task_id: z.uuid().nullable(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'SandboxExperiment' });

function presentExperiment(row: SandboxExperiment): z.infer<typeof experimentSchema> {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    proposal_id: row.proposalId,
    command: row.command,
    runs: row.runs,
    status: row.status,
    commit: row.commit,
    isolation: row.isolation,
    base_timings_ms: row.baseTimingsMs,
    proposal_timings_ms: row.proposalTimingsMs,
    base: row.baseSummary,
    proposal: row.proposalSummary,
    ratio: row.ratio,
    error: row.error,
    task_id: row.taskId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

const commandResultSchema = z.object({
  command: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  duration_ms: z.number(),
  limit: z.enum(['time', 'output', 'memory', 'processes']).nullable().describe('the limit that stopped it'),
  output_head: z.string(),
  output_tail: z.string(),
  output_bytes: z.number().int(),
  truncated: z.boolean().describe('true when output between head and tail was dropped'),
}) satisfies z.ZodType<SandboxCommandResult>;

const runSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    proposal_id: z.uuid().nullable(),
    kind: z.enum(['proposal', 'baseline']),
    commit: z.string(),
    commands: z.array(z.string()),
    status: z.enum(['passed', 'failed', 'error']),
    isolation: z.enum(['bwrap', 'none']),
    results: z.array(commandResultSchema),
    task_id: z.uuid().nullable(),
    duration_ms: z.number().int(),
    overhead_ms: z.number().int().nullable().describe('everything but the commands: worktree, clean-up'),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .meta({ id: 'SandboxRun' });

function presentRun(row: SandboxRun): z.infer<typeof runSchema> {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    proposal_id: row.proposalId,
    kind: row.kind,
    commit: row.commit,
    commands: row.commands,
    status: row.status,
    isolation: row.isolation,
    results: row.results,
    task_id: row.taskId,
    duration_ms: row.durationMs,
    overhead_ms: row.overheadMs,
    started_at: row.startedAt.toISOString(),
    finished_at: row.finishedAt.toISOString(),
  };
}

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
      const repository = await findRepository(orm, body.repository_id);
      if (!repository) throw new RepositoryNotFoundError(body.repository_id);
      if (body.proposal_id) {
        const proposal = await findProposal(orm, body.proposal_id);
        if (!proposal) throw new ProposalNotFoundError(body.proposal_id);
        if (proposal.repositoryId !== repository.id || !proposal.baseCommit) {
          throw new HttpProblem(
            422,
            'proposal_not_in_repository',
            'Unprocessable Content',
            `Proposal ${proposal.id} is not a change to repository ${repository.id}.`,
            { errors: [{ field: 'body.proposal_id', message: 'must be a proposal of repository_id' }] },
          );
        }
      }
      const sandbox = await sandboxStatus(app.services.config);
      if (sandbox.status === 'unavailable') {
        throw new HttpProblem(
          503,
          'sandbox_unavailable',
          'Service Unavailable',
          `No experiment can run: ${unavailableDetail(sandbox)}.`,
          {
            reason: sandbox.reason,
            ...(sandbox.fix ? { fix: sandbox.fix } : {}),
          },
        );
      }
      const principal = request.principal!;
      const experiment = await createExperiment(orm, {
        repositoryId: repository.id,
        proposalId: body.proposal_id ?? null,
        command: body.command,
        runs: body.runs,
        createdBy: principal.label,
        trigger: 'manual',
      });
      await queue.announce({ task: experiment.task, created: experiment.created });
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
