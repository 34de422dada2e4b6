import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_KEY_PREFIX, authenticateApiKey, touchApiKey } from '../../accounts/api-key-store.js';
import type { Principal } from '../../accounts/principal.js';
import { grants, ROLE_SCOPES } from '../../accounts/roles.js';
import { verifyAccessToken } from '../../accounts/tokens.js';
import { findActiveUser } from '../../accounts/user-store.js';
import { forbidden, unauthorized } from '../problem.js';
import type { AuthRequirement } from '../types.js';

export function requirementOf(request: FastifyRequest): AuthRequirement {
  // Unmatched URLs reach the not-found handler, which reveals nothing and answers 404 to anyone.
  if (request.routeOptions.url === undefined) return 'public';
  return request.routeOptions.config.auth ?? { scope: 'admin' };
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Authentication happens in two steps. `onRequest` identifies the caller (and never rejects), so that the
 * rate limiter, a route-level onRequest hook that runs after it, can count requests per key or user
 * rather than per IP. `preParsing` then enforces the route's requirement before any body is read, so an
 * unauthorised caller cannot make the server parse or validate a payload.
 */
async function authentication(app: FastifyInstance) {
  const { database, tokens, revocations } = app.services;
  const touched = new Map<string, number>();

  async function identify(token: string): Promise<Principal | undefined> {
    const now = app.services.now();
    if (token.startsWith(API_KEY_PREFIX)) {
      const principal = await authenticateApiKey(database.orm, token, now);
      if (principal && (touched.get(principal.id) ?? 0) < now.getTime() - 60_000) {
        touched.set(principal.id, now.getTime());
        void touchApiKey(database.orm, principal.id, now).catch((error: unknown) =>
          app.log.warn({ err: error }, 'could not record api key use'),
        );
      }
      return principal;
    }
    const claims = await verifyAccessToken(tokens, token, now);
    // Signed out, or its refresh token was reused: the token is refused before it expires.
    if (!claims || revocations.isSessionRevoked(claims.sessionId)) return undefined;
    const user = await findActiveUser(database.orm, claims.userId);
    if (!user) return undefined;
    const role = user.role;
    return {
      type: 'user',
      id: user.id,
      label: user.email,
      userId: user.id,
      role,
      scopes: new Set(ROLE_SCOPES[role]),
      sessionId: claims.sessionId,
    };
  }

  app.decorateRequest('principal', undefined);
  // For credentials that arrive outside the Authorization header (a WebSocket subprotocol or message).
  app.decorate('authenticateToken', identify);

  // Callback-style hooks: most requests need no I/O here, and an async hook would cost them a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    const token = bearerToken(request);
    if (!token) return done();
    identify(token).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  });

  app.addHook('preParsing', (request, _reply, payload, done) => {
    const requirement = requirementOf(request);
    if (requirement === 'public') return done(null, payload);
    const principal = request.principal;
    if (!principal) {
      return done(
        unauthorized(
          bearerToken(request)
            ? 'The credential is invalid, expired or revoked.'
            : 'Authentication is required: send Authorization: Bearer <api key or access token>.',
        ),
      );
    }
    if (requirement !== 'authenticated' && !grants(principal.scopes, requirement.scope)) {
      return done(
        forbidden(`This action needs the ${requirement.scope} scope, which ${principal.label} does not have.`),
      );
    }
    done(null, payload);
  });
}

export default fp(authentication, { name: 'authentication' });
