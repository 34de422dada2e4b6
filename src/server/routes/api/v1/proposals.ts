import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publishProposalEvent } from '../../../../proposals/proposal-events.js';
import { reviewProposal } from '../../../../inbox/review.js';
import { PROPOSAL_STATUSES, REVIEW_REASONS } from '../../../../proposals/states.js';
import { IllegalTransitionError, ProposalNotFoundError } from '../../../../proposals/transition.js';

const outcomeSchema = z.object({
  id: z.uuid(),
  outcome: z.enum(['accepted', 'rejected', 'conflict', 'not_found']),
  status: z.enum(PROPOSAL_STATUSES).nullable().describe('the state after this request'),
  detail: z.string().nullable(),
});

const proposals: FastifyPluginAsyncZod = async (app) => {
  const { database, events } = app.services;

  app.post(
    '/batch-review',
    {
      config: { auth: { scope: 'proposals:write' } },
      schema: {
        summary: 'Accept or reject many proposals at once (Renovate-style)',
        description: 'Each id is reviewed on its own: one that cannot take the verdict does not stop the others.',
        tags: ['proposals'],
        body: z.object({
          ids: z
            .array(z.uuid())
            .min(1)
            .max(200)
            .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat an id' }),
          verdict: z.enum(['accept', 'reject']),
          reason: z.enum(REVIEW_REASONS).optional().describe('left out: recorded with no reason (unspecified)'),
          note: z.string().max(5000).optional(),
        }),
        response: { 200: z.object({ results: z.array(outcomeSchema) }) },
      },
    },
    async (request) => {
      const { ids, verdict, reason, note } = request.body;
      const results: z.infer<typeof outcomeSchema>[] = [];
      for (const id of ids) {
        try {
          const { proposal, cancelledTests } = await reviewProposal(
            database.orm,
            id,
            { verdict, reason, note, reviewer: request.principal!.label },
            app.services.now(),
          );
          await publishProposalEvent(events, verdict === 'accept' ? 'accepted' : 'rejected', proposal, request.log);
          for (const task of cancelledTests) await app.services.tasks.announceCancel(task);
          results.push({
            id,
            outcome: verdict === 'accept' ? 'accepted' : 'rejected',
            status: proposal.status as (typeof PROPOSAL_STATUSES)[number],
            detail: null,
          });
        } catch (error) {
          if (error instanceof IllegalTransitionError) {
            results.push({ id, outcome: 'conflict', status: error.current, detail: error.message });
          } else if (error instanceof ProposalNotFoundError) {
            results.push({ id, outcome: 'not_found', status: null, detail: error.message });
          } else {
            throw error;
          }
        }
      }
      return { results };
    },
  );
};

export default proposals;
