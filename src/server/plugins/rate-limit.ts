import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem.js';

/**
 * Requests per minute per API key, per user, or per IP for anonymous callers, with the IETF draft
 * `RateLimit-*` headers. Counters live in Redis when REDIS_URL is set (shared by every process),
 * otherwise in this process's memory.
 */
async function rateLimiting(app: FastifyInstance, options: { namespace?: string | undefined }) {
  const { config, redis } = app.services;
  if (!config.rateLimit.enabled) return;
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.perMinute,
    timeWindow: 60_000,
    enableDraftSpec: true,
    ...(redis ? { redis, nameSpace: options.namespace ?? 'lvlup:ratelimit:' } : {}),
    keyGenerator: (request) =>
      request.principal ? `${request.principal.type}:${request.principal.id}` : `ip:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        'rate_limited',
        'Too Many Requests',
        `Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}.`,
      ),
  });
}

export default fp(rateLimiting, { name: 'rate-limit', dependencies: ['authentication'] });
