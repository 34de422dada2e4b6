import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { agentAnalytics, agentAnalyticsSchema } from '../../../analytics/agent-analytics-queries.js';
import { analyticsOverview, overviewSchema } from '../../../analytics/overview-queries.js';
import {
  bucketCount,
  GRANULARITIES,
  MAX_BUCKETS,
  proposalAnalytics,
  proposalAnalyticsSchema,
} from '../../../analytics/proposal-analytics-queries.js';
import { checkWindowOrder, windowQueryFields } from '../../../analytics/window.js';

const WINDOW_NOTE =
  ' `from` and `to` bound the window (a date is a whole UTC day; `to` is exclusive for a date-time); ' +
  'without them, all stored data counts. `from` after `to` is 400.';

const proposalsQuery = z
  .object({
    ...windowQueryFields,
    ai_type: z.string().min(1).max(64).optional().describe('only proposals of this agent type'),
    repository_id: z.uuid().optional().describe('only proposals on this repository'),
    granularity: z.enum(GRANULARITIES).default('day').describe('bucket size of by_day (UTC; weeks start on Monday)'),
  })
  .superRefine((query, context) => {
    checkWindowOrder(query, context);
    const buckets = bucketCount(query, query.granularity);
    if (buckets !== undefined && buckets > MAX_BUCKETS) {
      context.addIssue({
        code: 'custom',
        path: ['granularity'],
        message: `the window spans about ${buckets} ${query.granularity}s; at most ${MAX_BUCKETS}: narrow it or choose a larger granularity`,
      });
    }
  });

/** The seed's analytics paths (`/analytics/…`): figures computed by the database from stored rows only. */
const analyticsRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;

  app.get(
    '/overview',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'System overview: repositories, proposals, tasks, agents, Guardian, Sandbox, LLM use',
        description:
          'Current state (repositories, agents with XP and level, open Guardian suggestions by severity) and what ' +
          'happened in the window (proposals created and their verdicts, tasks created, sandbox runs finished, ' +
          'language model calls). A metric without data is 0, or null with its n.' +
          WINDOW_NOTE,
        tags: ['analytics'],
        querystring: z.object(windowQueryFields).superRefine(checkWindowOrder),
        response: { 200: overviewSchema },
      },
    },
    async (request) => analyticsOverview(orm, { from: request.query.from, to: request.query.to }, services.now()),
  );

  app.get(
    '/proposals',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'Proposals by status, agent and day; acceptance rate; time to review; test verdicts',
        description:
          'Over the proposals created in the window (and of `ai_type` / `repository_id` when given): counts by ' +
          'current status and by agent, the acceptance rate (accepted / reviewed, from the verdict history), the ' +
          'time from creation to verdict (mean, median, 90th percentile), and Sandbox verdicts; `by_day` counts ' +
          'creations, verdicts and applies on the day each happened.' +
          WINDOW_NOTE,
        tags: ['analytics'],
        querystring: proposalsQuery,
        response: { 200: proposalAnalyticsSchema },
      },
    },
    async (request) => {
      const { from, to, ai_type: aiType, repository_id: repositoryId, granularity } = request.query;
      return proposalAnalytics(orm, { window: { from, to }, aiType, repositoryId }, granularity);
    },
  );

  app.get(
    '/agents',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: 'Per agent type: runs, success rate, durations, proposals and verdicts, XP and level, LLM use',
        description:
          'Tasks by finished_at, proposals by created_at, verdicts and applies by when they happened, LLM calls ' +
          'by created_at; XP, level and learning_score are the stored progress (all time).' +
          WINDOW_NOTE,
        tags: ['analytics'],
        querystring: z
          .object({
            ...windowQueryFields,
            agent_type: z.string().min(1).max(64).optional().describe('only this agent type'),
          })
          .superRefine(checkWindowOrder),
        response: { 200: agentAnalyticsSchema },
      },
    },
    async (request) =>
      agentAnalytics(orm, { from: request.query.from, to: request.query.to }, request.query.agent_type),
  );
};

export default analyticsRoutes;
