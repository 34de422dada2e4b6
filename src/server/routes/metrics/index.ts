import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const metrics: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/',
    {
      config: { auth: app.services.config.metricsPublic ? 'public' : { scope: 'metrics:read' } },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Needs `metrics:read` (or admin) unless METRICS_PUBLIC=true.',
        tags: ['observability'],
        produces: ['text/plain'],
        response: { 200: z.string().describe('Prometheus text format 0.0.4') },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
};

export default metrics;
