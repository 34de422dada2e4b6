import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../../../../accounts/roles.js';
import { createUser, findUser, listUsers } from '../../../../../accounts/user-store.js';
import { changeUser } from '../../../../../accounts/change-user.js';
import { notFound } from '../../../../problem.js';
import {
  emailSchema,
  idParams,
  paginationQuery,
  passwordSchema,
  presentUser,
  userSchema,
  withTotalCount,
} from '../representations.js';

const users: FastifyPluginAsyncZod = async (app) => {
  const { orm } = app.services.database;
  const admin = { auth: { scope: 'admin' as const } };

  app.get(
    '/',
    {
      config: admin,
      schema: {
        summary: 'List users',
        tags: ['users'],
        querystring: paginationQuery,
        response: { 200: z.array(userSchema) },
      },
    },
    async (request, reply) => withTotalCount(reply, await listUsers(orm, request.query)).map(presentUser),
  );

  app.post(
    '/',
    {
      config: admin,
      schema: {
        summary: 'Create a user with a role',
        tags: ['users'],
        body: z.object({
          email: emailSchema,
          password: passwordSchema,
          role: z.enum(ROLES),
          display_name: z.string().min(1).max(200).optional(),
        }),
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const user = await createUser(orm, {
        email: request.body.email,
        password: request.body.password,
        role: request.body.role,
        displayName: request.body.display_name,
      });
      return reply.code(201).send(presentUser(user));
    },
  );

  app.get(
    '/:id',
    {
      config: admin,
      schema: { summary: 'Get a user', tags: ['users'], params: idParams, response: { 200: userSchema } },
    },
    async (request) => {
      const user = await findUser(orm, request.params.id);
      if (!user) throw notFound(`No user ${request.params.id}`);
      return presentUser(user);
    },
  );

  app.patch(
    '/:id',
    {
      config: admin,
      schema: {
        summary: "Change a user's role, name, or disable them",
        tags: ['users'],
        params: idParams,
        body: z
          .object({
            role: z.enum(ROLES).optional(),
            display_name: z.string().min(1).max(200).optional(),
            disabled: z.boolean().optional(),
          })
          .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' }),
        response: { 200: userSchema },
      },
    },
    async (request) => {
      const updated = await changeUser(
        { orm, revocations: app.services.revocations, now: () => app.services.now() },
        request.params.id,
        { role: request.body.role, displayName: request.body.display_name, disabled: request.body.disabled },
      );
      if (!updated) throw notFound(`No user ${request.params.id}`);
      return presentUser(updated);
    },
  );
};

export default users;
