import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applyAndPublish, autoApplyProposal } from '../../../inbox/apply-and-publish.js';
import { proposalDetail, type ProposalDetail, type ProposalServices } from '../../../inbox/proposal-services.js';
import { listProposals, PROPOSAL_SORTS } from '../../../proposals/proposal-store.js';
import {
  presentProposal,
  presentSummary,
  proposalSchema,
  proposalSummarySchema,
} from '../../../proposals/representation.js';
import { reviewAndPublish } from '../../../inbox/review-and-publish.js';
import { AGENT_TYPES, PROPOSAL_STATUSES, REVIEW_REASONS } from '../../../proposals/states.js';
import { submitProposal } from '../../../inbox/submit-proposal.js';
import { HttpProblem } from '../../problem.js';
import { idParams, withTotalCount } from '../api/v1/representations.js';

const fileChange = z.object({
  file_path: z.string().min(1).max(1024),
  code_before: z.string(),
  code_after: z.string(),
});

const createBody = z
  .object({
    ai_type: z
      .string()
      .min(1)
      .max(64)
      .describe(`one of ${AGENT_TYPES.join(', ')}`),
    repository_id: z.uuid().optional(),
    description: z.string().max(10_000).optional(),
    rationale: z.string().max(20_000).optional(),
    rule_id: z.string().min(1).max(200).optional(),
    category: z.string().min(1).max(100).optional(),
    confidence: z.number().min(0).max(1).optional(),
    file_path: z.string().min(1).max(1024).optional(),
    code_before: z.string().optional(),
    code_after: z.string().optional(),
    changes: z.array(fileChange).min(1).max(100).optional(),
    patch: z.string().min(1).optional(),
  })
  .superRefine((body, context) => {
    const single = body.file_path !== undefined || body.code_before !== undefined || body.code_after !== undefined;
    const forms = [single, body.changes !== undefined, body.patch !== undefined].filter(Boolean).length;
    if (forms !== 1) {
      context.addIssue({
        code: 'custom',
        path: ['changes'],
        message: 'give exactly one of: file_path + code_before + code_after, changes, or patch',
      });
    } else if (
      single &&
      (body.file_path === undefined || body.code_before === undefined || body.code_after === undefined)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['code_after'],
        message: 'file_path, code_before and code_after go together',
      });
    }
  });

// The seed's clients accept and reject with no body at all: the reason is optional (stored as null, which
// the learning signal counts as "unspecified").
const verdictBody = z
  .object({
    reason: z
      .enum(REVIEW_REASONS)
      .optional()
      .describe('why, for the learning signal; left out, the verdict is recorded with no reason (unspecified)'),
    note: z.string().max(5000).optional(),
  })
  .nullish()
  .describe('optional: a verdict may be given with no body');

const present = ({ proposal, history }: ProposalDetail) => presentProposal(proposal, history);

/** The representation of what a proposal service answers. */
async function presented(work: () => Promise<ProposalDetail>) {
  return present(await work());
}

const proposalRoutes: FastifyPluginAsyncZod = async (app) => {
  const { database, events, compute, tasks, config } = app.services;
  const services: ProposalServices = {
    database,
    events,
    compute,
    tasks,
    config,
    log: app.log,
    now: () => app.services.now(),
  };
  const orm = database.orm;

  app.post(
    '/',
    {
      config: { auth: { scope: 'proposals:write' } },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        summary: 'Create a proposal',
        description:
          'Seed contract: `{ai_type, file_path, code_before, code_after, description?}`; or several files in ' +
          '`changes`, or a unified `patch` against the repository HEAD. Refused: unsafe path (400), unknown ' +
          'ai_type or no-op (422), stale code_before or exact duplicate (409, with existing_id), too large (413). ' +
          'The diff and the security scan run in a worker thread: 503 `server_busy` with Retry-After when ' +
          'every thread is busy and the queue is full.',
        tags: ['proposals'],
        body: createBody,
        response: { 201: proposalSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!(AGENT_TYPES as readonly string[]).includes(body.ai_type)) {
        throw new HttpProblem(422, 'unknown_ai_type', 'Unprocessable Content', `Unknown ai_type ${body.ai_type}.`, {
          errors: [{ field: 'body.ai_type', message: `must be one of ${AGENT_TYPES.join(', ')}` }],
        });
      }
      const detail = await presented(() =>
        submitProposal(services, {
          aiType: body.ai_type,
          repositoryId: body.repository_id,
          description: body.description,
          rationale: body.rationale,
          ruleId: body.rule_id,
          category: body.category,
          confidence: body.confidence,
          files:
            body.changes ??
            (body.file_path !== undefined
              ? [{ file_path: body.file_path, code_before: body.code_before ?? '', code_after: body.code_after ?? '' }]
              : undefined),
          patch: body.patch,
          createdBy: request.principal!.label,
        }),
      );
      return reply.code(201).send(detail);
    },
  );

  app.get(
    '/',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'List proposals',
        tags: ['proposals'],
        querystring: z.object({
          ai_type: z.string().max(64).optional(),
          status: z
            .string()
            .optional()
            .transform((value, context) => {
              if (!value) return undefined;
              const statuses = value.split(',');
              const unknown = statuses.filter((status) => !(PROPOSAL_STATUSES as readonly string[]).includes(status));
              if (unknown.length) {
                context.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ')}` });
                return z.NEVER;
              }
              return statuses as (typeof PROPOSAL_STATUSES)[number][];
            })
            .describe('one status or several separated by commas'),
          repository_id: z.uuid().optional(),
          rule_id: z.string().max(200).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          sort: z.enum(PROPOSAL_SORTS).default('-created_at'),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          skip: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.array(proposalSummarySchema) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await listProposals(orm, {
        aiType: query.ai_type,
        statuses: query.status,
        repositoryId: query.repository_id,
        ruleId: query.rule_id,
        since: query.since ? new Date(query.since) : undefined,
        sort: query.sort,
        limit: query.limit,
        skip: query.skip,
      });
      return withTotalCount(reply, page).map(presentSummary);
    },
  );

  app.get(
    '/:id',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'Get a proposal with its code, diff, results and history',
        tags: ['proposals'],
        params: idParams,
        response: { 200: proposalSchema },
      },
    },
    async (request) => presented(() => proposalDetail(services, request.params.id)),
  );

  app.post(
    '/:id/apply',
    {
      config: { auth: { scope: 'repos:write' } },
      schema: {
        summary: 'Apply an accepted proposal as a git commit',
        description:
          "Commits in a separate worktree (the checked-out tree is never touched) on the policy's branch " +
          '(`lvlup/<short id>` by default), re-applying with a 3-way merge if the branch moved. A conflict ' +
          'moves the proposal to apply-failed and answers 409 listing the files. With pull requests on and a ' +
          'GitHub origin, the branch is pushed and a pull request opened. A free-standing proposal answers 409.',
        tags: ['proposals'],
        params: idParams,
        response: { 200: proposalSchema },
      },
    },
    async (request) => presented(() => applyAndPublish(services, request.params.id, request.principal!.label)),
  );

  app.post(
    '/:id/auto-apply',
    {
      config: { auth: { scope: 'repos:write' } },
      schema: {
        summary: 'Accept and apply a proposal without a reviewer, if every gate holds',
        description:
          "Gates: the repository's policy allows auto-apply; tests passed when the repository has checks " +
          '(`tests`; `sandbox_unavailable` while the proposal is untested because the sandbox cannot run); ' +
          'confidence at or above the policy threshold; the change introduces no high or critical Guardian finding ' +
          "(`security`); the proposing agent's level reaches `auto_apply_min_level` (`level`); the agent is " +
          'custody-eligible — at least 3 of its last 5 custody tests passed, at most 2 consecutive failures ' +
          "(`custody`); the proposal's acceptance score reaches `auto_apply_min_acceptance` (`acceptance`). " +
          'Otherwise 409 listing each failed gate.',
        tags: ['proposals'],
        params: idParams,
        response: { 200: proposalSchema },
      },
    },
    async (request) => presented(() => autoApplyProposal(services, request.params.id)),
  );

  for (const verdict of ['accept', 'reject'] as const) {
    app.post(
      `/:id/${verdict}`,
      {
        config: { auth: { scope: 'proposals:write' } },
        schema: {
          summary: verdict === 'accept' ? 'Accept a proposal' : 'Reject a proposal',
          description:
            'The body is optional (seed clients send none); without a `reason` the verdict is recorded with none ' +
            '(unspecified). A proposal being tested may be rejected: its Sandbox test is cancelled and a late ' +
            'result changes nothing. Exactly one of any number of concurrent verdicts wins; the others get 409 ' +
            'naming the state.',
          tags: ['proposals'],
          params: idParams,
          body: verdictBody,
          response: { 200: proposalSchema },
        },
      },
      async (request) =>
        presented(() =>
          reviewAndPublish(services, request.params.id, {
            verdict,
            reason: request.body?.reason,
            note: request.body?.note,
            reviewer: request.principal!.label,
          }),
        ),
    );
  }
};

export default proposalRoutes;
