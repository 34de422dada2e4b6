import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAttemptQueue } from '../../../../../accounts/login-throttle-store.js';
import { ROLES, SCOPES } from '../../../../../accounts/roles.js';
import { refreshSession, register, signIn, signOut } from '../../../../../accounts/sessions.js';
import { findActiveUser } from '../../../../../accounts/user-store.js';
import { emailSchema, passwordSchema, presentUser, userSchema } from '../representations.js';

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
  const sessions = {
    orm: database.orm,
    tokens,
    revocations: app.services.revocations,
    now: () => app.services.now(),
  };

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
      const isAdmin = request.principal?.scopes.has('admin') ?? false;
      const { email, password, display_name: displayName, role } = request.body;
      const user = await register(
        database,
        { email, password, displayName, role },
        { known: request.principal !== undefined, isAdmin, allowSignup: config.allowSignup },
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
    async (request) => {
      const { user, ...pair } = await signIn(
        { ...sessions, inTurn: attemptsInTurn },
        { email: request.body.email, password: request.body.password, ip: request.ip },
      );
      return { ...pair, user: presentUser(user) };
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
      return await refreshSession(sessions, request.body.refresh_token);
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
      await signOut(sessions, request.body.refresh_token);
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
