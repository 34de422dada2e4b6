import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createOwnApiKey,
  revokeVisibleApiKey,
  visibleApiKey,
  visibleApiKeys,
} from '../../../../../accounts/api-key-access.js';
import { SCOPES } from '../../../../../accounts/roles.js';
import { apiKeySchema, idParams, paginationQuery, presentApiKey, withTotalCount } from '../representations.js';

const apiKeys: FastifyPluginAsyncZod = async (app) => {
  const { orm } = app.services.database;

  app.get(
    '/',
    {
      config: { auth: { scope: 'keys:read' } },
      schema: {
        summary: 'List API keys (your own; admins see all)',
        tags: ['api-keys'],
        querystring: paginationQuery,
        response: { 200: z.array(apiKeySchema) },
      },
    },
    async (request, reply) => {
      const page = await visibleApiKeys(orm, request.principal!, request.query);
      return withTotalCount(reply, page).map(presentApiKey);
    },
  );

  app.post(
    '/',
    {
      config: { auth: { scope: 'keys:write' } },
      schema: {
        summary: 'Create an API key; its secret is in this response only',
        description: 'The key gets at most the scopes the caller has. It belongs to the calling user, if any.',
        tags: ['api-keys'],
        body: z.object({
          name: z.string().min(1).max(200),
          scopes: z.array(z.enum(SCOPES)).min(1),
          expires_at: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 201: apiKeySchema.extend({ key: z.string().describe('the secret: shown once, stored hashed') }) },
      },
    },
    async (request, reply) => {
      const { name, scopes, expires_at: expiresAt } = request.body;
      const { key, secret } = await createOwnApiKey(
        orm,
        request.principal!,
        { name, scopes, expiresAt: expiresAt ? new Date(expiresAt) : undefined },
        () => app.services.now(),
      );
      return reply.code(201).send({ ...presentApiKey(key), key: secret });
    },
  );

  app.get(
    '/:id',
    {
      config: { auth: { scope: 'keys:read' } },
      schema: {
        summary: 'Get an API key (never its secret)',
        tags: ['api-keys'],
        params: idParams,
        response: { 200: apiKeySchema },
      },
    },
    async (request) => {
      return presentApiKey(await visibleApiKey(orm, request.principal!, request.params.id));
    },
  );

  app.delete(
    '/:id',
    {
      config: { auth: { scope: 'keys:write' } },
      schema: {
        summary: 'Revoke an API key',
        tags: ['api-keys'],
        params: idParams,
        response: { 200: apiKeySchema },
      },
    },
    async (request) => {
      const dependencies = { orm, revocations: app.services.revocations };
      return presentApiKey(await revokeVisibleApiKey(dependencies, request.principal!, request.params.id));
    },
  );
};

export default apiKeys;
