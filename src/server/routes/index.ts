import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendPage } from '../error-handler.js';

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
      // The web dashboard's page (HTML, not part of the API); the API documentation is at /docs.
      schema: { hide: true },
    },
    (request, reply) => sendPage(request, reply),
  );
};

export default documents;
