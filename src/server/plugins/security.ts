import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Security headers and the CORS allow-list (CORS_ORIGINS); no origin is allowed unless listed. */
async function security(app: FastifyInstance) {
  await app.register(helmet, { global: true });
  const allowed = new Set(app.services.config.corsOrigins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    exposedHeaders: ['x-request-id', 'x-total-count', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
  });
}

export default fp(security, { name: 'security' });
