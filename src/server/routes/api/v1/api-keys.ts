import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../../../../accounts/api-keys.js';
import type { Principal } from '../../../../accounts/principal.js';
import { grants, SCOPES } from '../../../../accounts/roles.js';
import { badRequest, conflict, forbidden, notFound } from '../../../problem.js';
import { apiKeySchema, idParams, paginationQuery, presentApiKey, withTotalCount } from './representations.js';

const isAdmin = (principal: Principal) => principal.scopes.has('admin');

const apiKeys: FastifyPluginAsyncZod = async (app) => {
  const { orm } = app.services.database;

  // Keys are managed by their owner or an admin; an ownerless non-admin key would create keys that
  // nobody but an admin could see or revoke, so it may not manage keys at all.
  function ownerOrAdmin(principal: Principal) {
    if (!isAdmin(principal) && !principal.userId) {
      throw forbidden('Only a user, or a key that belongs to one, or an admin can manage API keys.');
    }
  }

  async function visibleKey(principal: Principal, id: string) {
    ownerOrAdmin(principal);
    const key = await findApiKey(orm, id);
    // Someone else's key is reported as missing, not forbidden, so ids cannot be probed.
    if (!key || (!isAdmin(principal) && key.userId !== principal.userId)) throw notFound(`No API key ${id}`);
    return key;
  }

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
      const principal = request.principal!;
      ownerOrAdmin(principal);
      const userId = isAdmin(principal) ? undefined : principal.userId;
      return withTotalCount(reply, await listApiKeys(orm, { userId, ...request.query })).map(presentApiKey);
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
      const principal = request.principal!;
      ownerOrAdmin(principal);
      const excess = request.body.scopes.filter((scope) => !grants(principal.scopes, scope));
      if (excess.length > 0) throw forbidden(`You cannot grant scopes you do not hold: ${excess.join(', ')}.`);
      const expiresAt = request.body.expires_at ? new Date(request.body.expires_at) : undefined;
      if (expiresAt && expiresAt <= app.services.now()) {
        throw badRequest('expires_at must be in the future', [
          { field: 'body.expires_at', message: 'must be in the future' },
        ]);
      }
      const { key, secret } = await createApiKey(orm, {
        name: request.body.name,
        scopes: request.body.scopes,
        userId: principal.userId,
        createdBy: principal.label,
        expiresAt,
      });
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
    async (request) => presentApiKey(await visibleKey(request.principal!, request.params.id)),
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
      const key = await visibleKey(request.principal!, request.params.id);
      if (!(await revokeApiKey(orm, key.id))) throw conflict('already_revoked', `API key ${key.id} is already revoked`);
      // Requests with the key already fail (it is looked up each time); its open streams close now.
      await app.services.revocations.announce({ apiKeyId: key.id });
      return presentApiKey((await findApiKey(orm, key.id))!);
    },
  );
};

export default apiKeys;
