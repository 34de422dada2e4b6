import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * One log line per request, written when it completes, instead of Fastify's two (incoming and
 * completed): the same facts at half the logging cost on the hot path.
 */
async function accessLog(app: FastifyInstance) {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });
}

export default fp(accessLog, { name: 'access-log' });
