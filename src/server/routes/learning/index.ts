import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { learningInsights, learningStats } from '../../../learning/insights.js';
import {
  insightsSchema,
  learningCycleSchema,
  statsSchema,
  suppressionSchema,
} from '../../../learning/representation.js';
import { runLearningCycle } from '../../../learning/retrain.js';
import { liftSuppression, listSuppressions, presentSuppression } from '../../../learning/suppression-store.js';
import { notFound } from '../../problem.js';

/** The seed's learning paths (`/learning/…`): what lvlup learned from verdicts, and the learning cycle. */
const learningRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;

  app.get(
    '/insights',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'What reviewers accept and reject, and how well lvlup predicts it',
        description:
          'Acceptance over time (per UTC day), the most accepted and most rejected rules, the reasons given, ' +
          'the suppressed (repository, rule) pairs, the acceptance model and its quality on held-out recent ' +
          "verdicts, and each agent's XP and level. `ai_type` narrows verdicts and agents to one agent.",
        tags: ['learning'],
        querystring: z.object({
          ai_type: z.string().min(1).max(64).optional(),
          days: z.coerce.number().int().min(1).max(3650).default(90).describe('how far back acceptance_over_time goes'),
        }),
        response: { 200: insightsSchema },
      },
    },
    async (request) =>
      learningInsights(orm, { aiType: request.query.ai_type, days: request.query.days, now: services.now() }),
  );

  app.get(
    '/stats',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'Counts of learning events, scores, suppressions, the model and agent progress',
        tags: ['learning'],
        response: { 200: statsSchema },
      },
    },
    async () => learningStats(orm),
  );

  app.post(
    '/trigger',
    {
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Run the learning cycle now and answer its results',
        description:
          'Synchronous (a retrain over thousands of verdicts takes well under a second): stores learning events ' +
          'missing for reviewed, tested or applied proposals, measures a model trained on the older verdicts ' +
          'against the most recent ones (20%, at most 100), trains a new model version on every verdict, ' +
          "re-evaluates suppressions, recomputes every agent's XP and level from its history, and rescores the " +
          'proposals awaiting review. `seed` makes the training order reproducible (default 1).',
        tags: ['learning'],
        body: z
          .object({ seed: z.number().int().min(0).max(2_147_483_647).optional() })
          .nullish()
          .describe('optional'),
        response: { 200: learningCycleSchema },
      },
    },
    async (request) => runLearningCycle(orm, { now: services.now(), seed: request.body?.seed }),
  );

  app.get(
    '/suppressions',
    {
      config: { auth: { scope: 'proposals:read' } },
      schema: {
        summary: 'Suppressed (repository, rule) pairs',
        description:
          'A rule with at least 5 verdicts in a repository, under 20% of them accepted, is not proposed there ' +
          'again (422 rule_suppressed) until lifted. Active ones only, unless `include_lifted=true`.',
        tags: ['learning'],
        querystring: z.object({
          include_lifted: z
            .enum(['true', 'false'])
            .default('false')
            .transform((value) => value === 'true'),
        }),
        response: { 200: z.array(suppressionSchema) },
      },
    },
    async (request) =>
      (await listSuppressions(orm, { includeLifted: request.query.include_lifted })).map(presentSuppression),
  );

  app.post(
    '/suppressions/lift',
    {
      config: { auth: { scope: 'repos:write' } },
      schema: {
        summary: 'Lift a suppression: the rule may be proposed in the repository again',
        description:
          'Only verdicts after the lift count towards suppressing it again (5 more, under 20% accepted). ' +
          '404 when the pair is not suppressed.',
        tags: ['learning'],
        body: z.object({ repository_id: z.uuid(), rule_id: z.string().min(1).max(200) }),
        response: { 200: suppressionSchema },
      },
    },
    async (request) => {
      const lifted = await liftSuppression(orm, {
        repositoryId: request.body.repository_id,
        ruleId: request.body.rule_id,
        actor: request.principal!.label,
        now: services.now(),
      });
      if (!lifted) {
        throw notFound(`Rule ${request.body.rule_id} is not suppressed in repository ${request.body.repository_id}.`);
      }
      return presentSuppression(lifted);
    },
  );
};

export default learningRoutes;
