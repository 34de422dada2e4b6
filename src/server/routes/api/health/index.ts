import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The seed's liveness path; `/health` is the same check with a timestamp. */
const seedHealth: FastifyPluginAsyncZod = async (app) => {
  const { version } = app.services;

  app.get(
    '/',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        summary: 'Liveness (seed-compatible path)',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok'), message: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, message: `lvlup ${version} is running` }),
  );
};

export default seedHealth;
