import httpProxy from '@fastify/http-proxy';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { CSRF_COOKIE, REFRESH_COOKIE } from '../../../accounts/web-session.js';
import { runningApp } from '../../../deployments/running-app.js';
import { sendProblem } from '../../error-handler.js';

const appParams = z.object({
  slug: z
    .string()
    .max(100)
    .regex(/^[a-z0-9-]+$/, 'must be a deployment slug (lowercase letters, digits and hyphens)'),
});

const LVLUP_COOKIES = new Set([REFRESH_COOKIE, CSRF_COOKIE]);

/** The request's headers as the app gets them: without lvlup's credentials, with where it came from. */
function headersForApp(request: FastifyRequest, headers: IncomingHttpHeaders, slug: string): IncomingHttpHeaders {
  const { authorization: _credential, cookie, ...rest } = headers;
  const appCookies = Object.entries(parseCookies(cookie ?? '')).filter(
    (entry): entry is [string, string] => !LVLUP_COOKIES.has(entry[0]) && entry[1] !== undefined,
  );
  return {
    ...rest,
    ...(appCookies.length > 0
      ? { cookie: appCookies.map(([name, value]) => serializeCookie(name, value)).join('; ') }
      : {}),
    'x-forwarded-for': request.ip,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.host,
    'x-forwarded-prefix': `/apps/${slug}`,
  };
}

/**
 * The reverse proxy to deployed apps: /apps/{slug}/{path}?{query} reaches the app of the running deployment
 * with that slug as /{path}?{query}, through the loopback port its supervisor forwards (docs/deployments.md).
 * Like every route it needs a credential (projects:read, as reading deployments does); lvlup's credential is
 * not passed on to the app. Unknown slug: 404 `app_not_found`; a deployment whose app does not run: 503
 * `app_not_running`; an app that does not answer: 502 `app_unreachable`. Hidden from the OpenAPI document:
 * what follows the slug is the app's own API, which its project documents.
 */
const appProxy: FastifyPluginAsync = async (app) => {
  const { orm } = app.services.database;
  const origins = new WeakMap<FastifyRequest, string>();
  const slugOf = (request: FastifyRequest) => (request.params as z.infer<typeof appParams>).slug;

  // Bodies pass to the app unread, whatever their type (the proxy adds its own pass-through parser).
  app.removeAllContentTypeParsers();
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true, params: appParams };
  });

  await app.register(httpProxy, {
    prefix: '/:slug',
    upstream: '',
    // Preflights (OPTIONS) stay with lvlup's CORS policy, which answers them for every path.
    httpMethods: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'],
    config: { auth: { scope: 'projects:read' }, proxied: true },
    preHandler: (request, _reply, done) => {
      runningApp(orm, slugOf(request)).then(({ origin }) => {
        origins.set(request, origin);
        done();
      }, done);
    },
    replyOptions: {
      getUpstream: (request) => origins.get(request as FastifyRequest)!,
      rewriteRequestHeaders: (request, headers) =>
        headersForApp(request as FastifyRequest, headers, slugOf(request as FastifyRequest)),
      onError: (reply, { error }) => {
        const timedOut = (error as { statusCode?: number }).statusCode === 504;
        const request = reply.request as FastifyRequest;
        void sendProblem(
          request,
          reply as Parameters<typeof sendProblem>[1],
          timedOut ? 504 : 502,
          timedOut ? 'app_timeout' : 'app_unreachable',
          `The app at /apps/${slugOf(request)}/ did not answer: ${error.message}`,
        );
      },
    },
  });
};

export default appProxy;
