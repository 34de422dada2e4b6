import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { WEB_APP_ROOT } from '../web-app.js';

/** Serves the web dashboard (web/dist): `/`, its hashed assets under /assets/, and its pages' URLs. */
async function webApp(app: FastifyInstance) {
  await app.register(fastifyStatic, { root: WEB_APP_ROOT, serve: false });
  app.get('/assets/*', { config: { auth: 'public' }, schema: { hide: true } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(join('assets', file), {
      immutable: true,
      maxAge: '365d',
      cacheControl: true,
      dotfiles: 'deny',
    });
  });
}

export default fp(webApp, { name: 'web-app' });
