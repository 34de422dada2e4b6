import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * The security headers helmet sets with its defaults (CSP, HSTS, X-Content-Type-Options, …), worked out
 * once. @fastify/helmet builds helmet's middleware anew on every request, which re-parses the CSP
 * directives each time and cost a measurable share of a small request's time; the headers do not depend
 * on the request, so they are computed here once and copied onto each reply.
 */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  let completed = false;
  helmet()({} as IncomingMessage, response, () => {
    completed = true;
  });
  if (!completed) throw new Error('helmet did not complete synchronously');
  return headers;
}

/** Security headers and the CORS allow-list (CORS_ORIGINS); no origin is allowed unless listed. */
async function security(app: FastifyInstance) {
  const headers = helmetHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  const allowed = new Set(app.services.config.corsOrigins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    exposedHeaders: ['x-request-id', 'x-total-count', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
  });
}

export default fp(security, { name: 'security' });
