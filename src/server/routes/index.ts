import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const documents: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/openapi.json',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'This OpenAPI 3 document',
        tags: ['docs'],
        response: { 200: z.looseObject({ openapi: z.string() }) },
      },
    },
    async () => app.swagger() as { openapi: string },
  );

  app.get(
    '/',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Points browsers at the API documentation',
        tags: ['docs'],
        response: { 302: z.null().describe('Redirect to /docs') },
      },
    },
    async (_request, reply) => reply.redirect('/docs', 302),
  );
};

export default documents;
