import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * JSON bodies, parsed by Fastify's own parser (prototype-poisoning protection included), except that an
 * empty body counts as no body. Seed clients send `Content-Type: application/json` with nothing after it on
 * body-less operations (accept, reject); Fastify would answer 400 `invalid_json`. With no body, each route's
 * schema decides: optional bodies pass, required ones get 400 `validation_failed` naming `body`.
 */
async function jsonBody(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, body as string, done);
  });
}

export default fp(jsonBody, { name: 'json-body' });
