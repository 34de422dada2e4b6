import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { findUnstorableText } from '../../db/storable-text.js';
import { HttpProblem, type FieldError } from '../problem.js';

const PARTS = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const;

/** A path segment as it appears in a field name; one holding the bad character itself is shown escaped. */
function segment(key: string): string {
  return /^[\w-]*$/.test(key) ? key : JSON.stringify(key);
}

/**
 * One rule for every string a request carries into the service (path parameters, query and body, at any
 * depth, keys included): no U+0000 and no lone UTF-16 surrogate, since PostgreSQL can store neither (see
 * db/storable-text.ts). Checked before schema validation, so it holds for every route, whatever its schema
 * says about the field, and a refused mutating request is still audited like any other 400.
 */
async function storableInput(app: FastifyInstance) {
  app.addHook('preValidation', (request, _reply, done) => {
    const errors: FieldError[] = [];
    for (const [context, property] of PARTS) {
      // What is proxied to a deployed app is the app's to check, and its body is an unread stream.
      if (property === 'body' && request.routeOptions.config.proxied) continue;
      for (const found of findUnstorableText(request[property], 20 - errors.length)) {
        errors.push({ field: [context, ...found.path.map(segment)].join('.'), message: found.message });
      }
    }
    if (errors.length === 0) return done();
    done(
      new HttpProblem(
        400,
        'validation_failed',
        'Bad Request',
        `Request validation failed: ${errors.map((entry) => `${entry.field} ${entry.message}`).join('; ')}`,
        { errors },
      ),
    );
  });
}

export default fp(storableInput, { name: 'storable-input' });
