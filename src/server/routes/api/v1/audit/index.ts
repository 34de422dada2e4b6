import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAudit } from '../../../../../audit/audit-store.js';
import { paginationQuery, withTotalCount } from '../representations.js';

const auditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actor_type: z.enum(['user', 'api_key', 'anonymous', 'cli', 'system']),
    actor_id: z.string().nullable(),
    actor_label: z.string().nullable(),
    action: z.string().describe('e.g. "POST /api/v1/api-keys"'),
    target: z.string().nullable(),
    request_id: z.string().nullable(),
    status_code: z.number().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

const audit: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/',
    {
      config: { auth: { scope: 'admin' } },
      schema: {
        summary: 'The audit log of mutating requests, newest first',
        tags: ['audit'],
        querystring: paginationQuery.extend({
          actor_id: z.string().max(200).optional(),
          actor_type: z.enum(['user', 'api_key', 'anonymous', 'cli', 'system']).optional(),
          action: z.string().max(300).optional(),
          target: z.string().max(200).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: z.array(auditEntrySchema) },
      },
    },
    async (request, reply) => {
      const { since, until, actor_id, actor_type, ...rest } = request.query;
      const page = await listAudit(app.services.database.orm, {
        ...rest,
        actorId: actor_id,
        actorType: actor_type,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      });
      return withTotalCount(reply, page).map((entry) => ({
        id: entry.id,
        at: entry.at.toISOString(),
        actor_type: entry.actorType,
        actor_id: entry.actorId,
        actor_label: entry.actorLabel,
        action: entry.action,
        target: entry.target,
        request_id: entry.requestId,
        status_code: entry.statusCode,
        ip: entry.ip,
      }));
    },
  );
};

export default audit;
