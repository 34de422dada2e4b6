import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  accountKey,
  clearFailures,
  createAttemptQueue,
  DEFAULT_ACCOUNT_POLICY,
  DEFAULT_ADDRESS_POLICY,
  ipKey,
  lockedFor,
  recordFailure,
} from '../../../../accounts/login-throttle.js';
import { burnPasswordCheck, verifyPassword } from '../../../../accounts/passwords.js';
import { ROLES, SCOPES } from '../../../../accounts/roles.js';
import {
  consumeRefreshToken,
  findRefreshTokenFamily,
  issueTokenPair,
  revokeTokenFamily,
} from '../../../../accounts/tokens.js';
import { findActiveUser, findUserByEmail, normaliseEmail, registerUser } from '../../../../accounts/users.js';
import { forbidden, HttpProblem, unauthorized } from '../../../problem.js';
import { emailSchema, passwordSchema, presentUser, userSchema } from './representations.js';

const tokenPairSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().describe('seconds'),
    refresh_token: z.string().describe('single use: each refresh returns a new one'),
    refresh_expires_in: z.number().describe('seconds'),
  })
  .meta({ id: 'TokenPair' });

const auth: FastifyPluginAsyncZod = async (app) => {
  const { database, config, tokens } = app.services;
  const attemptsInTurn = createAttemptQueue();

  app.post(
    '/register',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Register a user',
        description:
          'The first user of an installation becomes admin. After that only admins register users (choosing ' +
          'the role), unless ALLOW_SIGNUP=true, in which case anyone may sign up as a viewer.',
        tags: ['auth'],
        body: z.object({
          email: emailSchema,
          password: passwordSchema,
          display_name: z.string().min(1).max(200).optional(),
          role: z.enum(ROLES).default('viewer'),
        }),
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const isAdmin = principal?.scopes.has('admin') ?? false;
      const user = await registerUser(
        database,
        {
          email: request.body.email,
          password: request.body.password,
          displayName: request.body.display_name,
          role: isAdmin ? request.body.role : 'viewer',
        },
        (isFirst) => {
          if (isFirst || isAdmin || config.allowSignup) return;
          throw principal
            ? forbidden('Only admins register users on this installation.')
            : unauthorized('Registration is closed: an admin must register new users (ALLOW_SIGNUP is off).');
        },
      );
      return reply.code(201).send(presentUser(user));
    },
  );

  app.post(
    '/login',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign in with email and password',
        description:
          'Returns a short-lived access token and a refresh token. Repeated failures for an account lock it for ' +
          'a growing while, and very many from one client address lock that address (429 with Retry-After); ' +
          'see docs/auth.md.',
        tags: ['auth'],
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
        response: { 200: tokenPairSchema.extend({ user: userSchema }) },
      },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      return attemptsInTurn(accountKey(email), async () => {
        const now = app.services.now();
        const keys = [accountKey(email), ipKey(request.ip)];
        const wait = await lockedFor(database.orm, keys, now);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new HttpProblem(
            429,
            'login_throttled',
            'Too Many Requests',
            `Too many failed sign-ins; retry in ${wait} s.`,
            {
              retry_after: wait,
            },
          );
        }
        const user = await findUserByEmail(database.orm, email);
        const valid = user
          ? await verifyPassword(user.passwordHash, request.body.password)
          : (await burnPasswordCheck(request.body.password), false);
        if (!user || !valid || user.disabledAt) {
          await recordFailure(database.orm, keys[0]!, DEFAULT_ACCOUNT_POLICY, now);
          await recordFailure(database.orm, keys[1]!, DEFAULT_ADDRESS_POLICY, now);
          throw unauthorized('Invalid email or password.');
        }
        await clearFailures(database.orm, keys[0]!);
        const pair = await issueTokenPair(database.orm, tokens, user, now);
        return { ...pair, user: presentUser(user) };
      });
    },
  );

  app.post(
    '/refresh',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Exchange a refresh token for a new token pair',
        description:
          'Refresh tokens rotate: each is accepted once. Presenting one that was already used revokes every token ' +
          'of that sign-in.',
        tags: ['auth'],
        body: z.object({ refresh_token: z.string().min(1).max(200) }),
        response: { 200: tokenPairSchema },
      },
    },
    async (request) => {
      const now = app.services.now();
      const outcome = await consumeRefreshToken(database.orm, request.body.refresh_token, now);
      if (!outcome.ok) {
        if (outcome.reason === 'reused') {
          // The sign-in was revoked: its access tokens, and the streams they opened, end too.
          await app.services.revocations.announce({ sessionIds: [outcome.familyId] });
        }
        throw new HttpProblem(401, 'invalid_refresh_token', 'Unauthorized', `The refresh token is ${outcome.reason}.`);
      }
      const user = await findActiveUser(database.orm, outcome.userId);
      if (!user) throw new HttpProblem(401, 'invalid_refresh_token', 'Unauthorized', 'The account is disabled.');
      return issueTokenPair(database.orm, tokens, user, now, outcome.familyId);
    },
  );

  app.post(
    '/logout',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Sign out: revoke a refresh token and every token of its sign-in',
        description:
          "The sign-in's access tokens are refused from now on and the event streams they opened are closed, " +
          'in every process.',
        tags: ['auth'],
        body: z.object({ refresh_token: z.string().min(1).max(200) }),
        response: { 204: z.null().describe('Signed out') },
      },
    },
    async (request, reply) => {
      const familyId = await findRefreshTokenFamily(database.orm, request.body.refresh_token);
      if (familyId) {
        await revokeTokenFamily(database.orm, familyId, app.services.now());
        await app.services.revocations.announce({ sessionIds: [familyId] });
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { auth: 'authenticated' },
      schema: {
        summary: 'Who am I: the calling user or API key and its scopes',
        tags: ['auth'],
        response: {
          200: z.object({
            type: z.enum(['user', 'api_key']),
            id: z.string(),
            label: z.string(),
            role: z.enum(ROLES).nullable(),
            scopes: z.array(z.enum(SCOPES)),
            user: userSchema.nullable(),
          }),
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const user = principal.userId ? await findActiveUser(database.orm, principal.userId) : undefined;
      return {
        type: principal.type,
        id: principal.id,
        label: principal.label,
        role: principal.role ?? null,
        scopes: [...principal.scopes],
        user: user ? presentUser(user) : null,
      };
    },
  );
};

export default auth;
