import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { reviewBatch } from '../../../../../inbox/review-batch.js';
import { PROPOSAL_STATUSES, REVIEW_REASONS } from '../../../../../proposals/states.js';

const outcomeSchema = z.object({
  id: z.uuid(),
  outcome: z.enum(['accepted', 'rejected', 'conflict', 'not_found']),
  status: z.enum(PROPOSAL_STATUSES).nullable().describe('the state after this request'),
  detail: z.string().nullable(),
});

const proposals: FastifyPluginAsyncZod = async (app) => {
  const { database, events, tasks, compute } = app.services;

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
      const services = { database, events, tasks, compute, log: request.log, now: () => app.services.now() };
      const reviewer = request.principal!.label;
      return { results: await reviewBatch(services, ids, { verdict, reason, note, reviewer }) };
    },
  );
};

export default proposals;
