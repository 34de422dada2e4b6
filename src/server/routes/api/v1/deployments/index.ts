import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../../../../../accounts/principal.js';
import { readLogLines, listDeployments } from '../../../../../deployments/deployment-store.js';
import {
  createDeployment,
  deleteDeployment,
  requireDeployment,
  restartDeployment,
  startDeployment,
  stopDeployment,
} from '../../../../../deployments/manage-deployment.js';
import {
  DEPLOYMENT_STATUSES,
  deploymentSchema,
  logLineSchema,
  presentDeployment,
  presentLogLine,
} from '../../../../../deployments/representation.js';
import { idParams, paginationQuery, withTotalCount } from '../representations.js';

const actorOf = (principal: Principal) => ({
  id: principal.userId ?? principal.id,
  admin: principal.scopes.has('admin'),
});

/**
 * Deployments: one commit of a project run by lvlup under supervision (src/deployments/). They belong to
 * their project: projects:read sees them, projects:write with the project's ownership (or admin) runs them.
 */
const deploymentRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'projects:read' as const } };
  const write = { auth: { scope: 'projects:write' as const } };
  const deployments = {
    database: services.database,
    dataDirectory: services.config.dataDirectory,
    events: services.events,
    now: () => services.now(),
  };
  const tags = ['deployments'];

  app.post(
    '/',
    {
      schema: {
        summary: 'Deploy a commit of a project',
        description:
          'Builds the commit (the newest unless `commit` is given) and runs it in the Sandbox under supervision. ' +
          'A project has one deployment: a second is 409 `deployment_state_conflict`. Progress is on `deployments/{id}`.',
        tags,
        body: z.strictObject({
          project_id: z.uuid(),
          commit: z
            .string()
            .regex(/^[0-9a-f]{7,40}$/, 'must be a commit id (7 to 40 hexadecimal digits)')
            .optional(),
          start_command: z
            .string()
            .trim()
            .min(1)
            .max(1000)
            .optional()
            .describe('run in the Sandbox in the built checkout; it must listen on the Unix socket LISTEN_SOCKET'),
          health_path: z
            .string()
            .regex(/^\/[\x21-\x7e]*$/, 'must be a path starting with /')
            .max(1000)
            .optional()
            .describe('GET here must answer 2xx or 3xx (default /api/openapi.json)'),
        }),
        response: { 201: deploymentSchema },
      },
      config: { ...write, problemFields: { project_not_found: 'body.project_id', unknown_revision: 'body.commit' } },
    },
    async (request, reply) => {
      const { project_id: projectId, commit, start_command: startCommand, health_path: healthPath } = request.body;
      const deployment = await createDeployment(
        deployments,
        { projectId, commit, startCommand, healthPath },
        actorOf(request.principal!),
      );
      return reply.code(201).send(presentDeployment(deployment));
    },
  );

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: 'List deployments, newest first',
        tags,
        querystring: paginationQuery.extend({
          status: z.enum(DEPLOYMENT_STATUSES).optional(),
          project_id: z.uuid().optional(),
        }),
        response: { 200: z.array(deploymentSchema) },
      },
    },
    async (request, reply) => {
      const { limit, skip, status, project_id: projectId } = request.query;
      const page = await listDeployments(orm, { limit, skip, status, projectId });
      return withTotalCount(reply, { rows: page.items.map(presentDeployment), total: page.total });
    },
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: { summary: 'One deployment', tags, params: idParams, response: { 200: deploymentSchema } },
    },
    async (request) => presentDeployment(await requireDeployment(deployments, request.params.id)),
  );

  const action = (
    name: 'start' | 'stop' | 'restart',
    summary: string,
    description: string,
    run: typeof startDeployment,
  ) =>
    app.post(
      `/:id/${name}`,
      {
        config: write,
        schema: { summary, description, tags, params: idParams, response: { 202: deploymentSchema } },
      },
      async (request, reply) => {
        const deployment = await run(deployments, request.params.id, actorOf(request.principal!));
        return reply.code(202).send(presentDeployment(deployment));
      },
    );
  action(
    'start',
    'Start a stopped or failed deployment',
    'Builds and starts it again. One that is pending, building, testing or running is 409 `deployment_state_conflict`.',
    startDeployment,
  );
  action(
    'stop',
    'Stop the deployment',
    'Its supervisor stops the app (SIGKILL of its process tree) and marks it `stopped`.',
    stopDeployment,
  );
  action(
    'restart',
    'Restart the deployment',
    'Stops the app and builds and starts its commit again.',
    restartDeployment,
  );

  app.get(
    '/:id/logs',
    {
      config: read,
      schema: {
        summary: "The deployment's log, oldest first, after a cursor",
        description:
          'What the app wrote (`app`) and what its supervisor did (`lvlup`), bounded to the newest DEPLOYMENT_LOG_LINES. ' +
          'Pass the last `id` read as `after` for what follows; new lines are published live on `deployments/{id}` (`deployment.log`).',
        tags,
        params: idParams,
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: {
          200: z.object({
            lines: z.array(logLineSchema),
            next_cursor: z.number().int().describe('pass as `after`: the id of the last line, or `after` when none'),
          }),
        },
      },
    },
    async (request) => {
      await requireDeployment(deployments, request.params.id);
      const lines = await readLogLines(orm, request.params.id, request.query);
      return { lines: lines.map(presentLogLine), next_cursor: lines.at(-1)?.id ?? request.query.after };
    },
  );

  app.delete(
    '/:id',
    {
      config: write,
      schema: {
        summary: 'Delete the deployment',
        description: 'Its app is stopped and its row and log go; only the project owner or an admin.',
        tags,
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteDeployment(deployments, request.params.id, actorOf(request.principal!));
      return reply.code(204).send(null);
    },
  );
};

export default deploymentRoutes;
