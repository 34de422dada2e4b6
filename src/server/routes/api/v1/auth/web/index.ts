import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AccountRefusedError } from '../../../../../../accounts/account-refused-error.js';
import { createAttemptQueue } from '../../../../../../accounts/login-throttle-store.js';
import { refreshSession, signIn, signOut } from '../../../../../../accounts/sessions.js';
import type { TokenPair } from '../../../../../../accounts/tokens.js';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  csrfTokenFor,
  csrfTokenMatches,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
} from '../../../../../../accounts/web-session.js';
import { presentUser, userSchema } from '../../representations.js';

const webSessionSchema = z
  .object({
    access_token: z.string().describe('keep it in memory only'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().describe('seconds'),
  })
  .meta({ id: 'WebSession' });

const csrfHeaders = z.object({
  [CSRF_HEADER]: z.string().max(200).optional().describe('the value of the lvlup_csrf cookie'),
});

/**
 * Sign-in for the web dashboard: like /api/v1/auth/login/refresh/logout, but the refresh token travels only
 * in an httpOnly cookie (docs/auth.md, "The web dashboard").
 */
const webAuth: FastifyPluginAsyncZod = async (app) => {
  const { database, tokens } = app.services;
  const attemptsInTurn = createAttemptQueue();
  const sessions = {
    orm: database.orm,
    tokens,
    revocations: app.services.revocations,
    now: () => app.services.now(),
  };

  function setSessionCookies(request: FastifyRequest, reply: FastifyReply, pair: TokenPair) {
    const secure = request.protocol === 'https';
    const maxAge = pair.refresh_expires_in;
    reply.header('set-cookie', [
      serializeCookie(REFRESH_COOKIE, pair.refresh_token, {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: REFRESH_COOKIE_PATH,
        maxAge,
      }),
      serializeCookie(CSRF_COOKIE, csrfTokenFor(tokens.signingKey, pair.refresh_token), {
        sameSite: 'strict',
        secure,
        path: '/',
        maxAge,
      }),
    ]);
    reply.header('cache-control', 'no-store');
    return { access_token: pair.access_token, token_type: pair.token_type, expires_in: pair.expires_in };
  }

  function clearSessionCookies(request: FastifyRequest, reply: FastifyReply) {
    const secure = request.protocol === 'https';
    reply.header('set-cookie', [
      serializeCookie(REFRESH_COOKIE, '', {
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: REFRESH_COOKIE_PATH,
        maxAge: 0,
      }),
      serializeCookie(CSRF_COOKIE, '', { sameSite: 'strict', secure, path: '/', maxAge: 0 }),
    ]);
  }

  /**
   * The refresh token of a cookie-authenticated call, once the call proved it comes from the dashboard's own
   * page: the CSRF header matches the cookie's token and, when the browser names the page's origin, it is
   * this server's.
   */
  function cookieRefreshToken(request: FastifyRequest): string {
    const cookies = parseCookies(request.headers.cookie ?? '');
    const refreshToken = cookies[REFRESH_COOKIE];
    if (!refreshToken) throw new AccountRefusedError('invalid_refresh_token', 'There is no sign-in cookie.');
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      throw new AccountRefusedError('csrf_failed', `Requests from ${origin} may not use the sign-in cookie.`);
    }
    const presented = request.headers[CSRF_HEADER];
    if (!csrfTokenMatches(tokens.signingKey, refreshToken, typeof presented === 'string' ? presented : undefined)) {
      throw new AccountRefusedError('csrf_failed', `The ${CSRF_HEADER} header does not match the sign-in cookie.`);
    }
    return refreshToken;
  }

  app.post(
    '/login',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign in to the web dashboard',
        description:
          'Like /api/v1/auth/login (same throttling), but the refresh token is set as an httpOnly, SameSite=Strict ' +
          'cookie and a readable lvlup_csrf cookie holds the CSRF token the page sends as x-csrf-token on refresh ' +
          'and logout. Only the access token is in the body.',
        tags: ['auth'],
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
        response: { 200: webSessionSchema.extend({ user: userSchema }) },
      },
    },
    async (request, reply) => {
      const { user, ...pair } = await signIn(
        { ...sessions, inTurn: attemptsInTurn },
        { email: request.body.email, password: request.body.password, ip: request.ip },
      );
      return { ...setSessionCookies(request, reply, pair), user: presentUser(user) };
    },
  );

  app.post(
    '/refresh',
    {
      config: { auth: 'public' },
      schema: {
        summary: "Renew the web dashboard's access token from its sign-in cookie",
        description:
          'Needs the lvlup_refresh cookie and its CSRF token in x-csrf-token (403 csrf_failed otherwise, also for ' +
          'another Origin). Rotates the cookie like /api/v1/auth/refresh rotates a refresh token.',
        tags: ['auth'],
        headers: csrfHeaders,
        response: { 200: webSessionSchema },
      },
    },
    async (request, reply) => {
      const refreshToken = cookieRefreshToken(request);
      try {
        return setSessionCookies(request, reply, await refreshSession(sessions, refreshToken));
      } catch (error) {
        if (error instanceof AccountRefusedError) clearSessionCookies(request, reply);
        throw error;
      }
    },
  );

  app.post(
    '/logout',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign the web dashboard out: revoke its sign-in and clear its cookies',
        description: 'Needs the lvlup_refresh cookie and its CSRF token in x-csrf-token, like /refresh.',
        tags: ['auth'],
        headers: csrfHeaders,
        response: { 204: z.null().describe('Signed out') },
      },
    },
    async (request, reply) => {
      await signOut(sessions, cookieRefreshToken(request));
      clearSessionCookies(request, reply);
      return reply.code(204).send(null);
    },
  );
};

export default webAuth;
