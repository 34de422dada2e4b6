import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../../audit/audit-store.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every mutating request (who, what, on which object, outcome) after the response is sent, so
 * auditing never slows or fails a request. Writes still pending at shutdown are awaited.
 */
async function audit(app: FastifyInstance) {
  const pending = new Set<Promise<void>>();

  app.addHook('onResponse', (request, reply, done) => {
    done();
    if (!MUTATING.has(request.method) || !request.routeOptions.url) return;
    const params = request.params as Record<string, string> | undefined;
    const principal = request.principal;
    const write = recordAudit(app.services.database.orm, {
      actorType: principal?.type ?? 'anonymous',
      actorId: principal?.id ?? null,
      actorLabel: principal?.label ?? null,
      action: `${request.method} ${request.routeOptions.url}`,
      target: params?.id ?? null,
      requestId: request.id,
      statusCode: reply.statusCode,
      ip: request.ip,
    })
      .catch((error: unknown) => request.log.error({ err: error }, 'could not write audit entry'))
      .finally(() => pending.delete(write));
    pending.add(write);
  });

  app.addHook('onClose', async () => {
    await Promise.all(pending);
  });
}

export default fp(audit, { name: 'audit' });
