import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Principal } from '../../../../../accounts/principal.js';
import { findArtifact, listProjectArtifacts } from '../../../../../projects/artifact-store.js';
import { changeProject, createProject, requireOwnProject } from '../../../../../projects/create-project.js';
import { removeProject } from '../../../../../projects/delete-project.js';
import { ArtifactNotFoundError, ProjectNotFoundError } from '../../../../../projects/project-errors.js';
import { findProject, listProjects, listStages, type Project } from '../../../../../projects/project-store.js';
import { projectTokenUsage } from '../../../../../projects/project-usage-queries.js';
import { archiveCommit, headCommit, projectFolder } from '../../../../../projects/project-work-tree.js';
import {
  artifactSchema,
  presentArtifact,
  presentProject,
  presentStage,
  projectSchema,
  stageSchema,
} from '../../../../../projects/representation.js';
import { cancelProject, retryProject, startProject } from '../../../../../projects/run-pipeline.js';
import { STAGE_NAMES } from '../../../../../projects/stages.js';
import { paginationQuery, withTotalCount } from '../representations.js';
import { projectFields as fields } from './project-fields.js';

const createBody = z.strictObject({
  ...fields,
  description: fields.description.default(''),
  targets: fields.targets.default(['web']),
});
const changeBody = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  spec: fields.spec,
  openapi: fields.openapi,
  template: fields.template,
  targets: fields.targets.optional(),
  engine: fields.engine,
  token_budget: fields.token_budget,
  time_budget_seconds: fields.time_budget_seconds,
});
const idParams = z.object({ id: z.uuid() });
/**
 * Fastify sends a Buffer as it is, without the serializer; the response schema documents the body as a
 * string (of bytes), which is what the type provider then expects to be handed.
 */
const bytes = (buffer: Buffer) => buffer as unknown as string;
const actorOf = (principal: Principal) => ({
  id: principal.userId ?? principal.id,
  admin: principal.scopes.has('admin'),
});

/**
 * Projects: apps lvlup generates through the eleven-stage pipeline (src/projects/). Anyone with
 * projects:read sees them; projects:write creates and runs them; only the owner (or an admin) changes a
 * draft or deletes one.
 */
const projectRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'projects:read' as const } };
  const write = { auth: { scope: 'projects:write' as const } };
  const pipeline = {
    database: services.database,
    dataDirectory: services.config.dataDirectory,
    tasks: services.tasks,
    events: services.events,
    now: () => services.now(),
  };
  /** A project with the token usage of its stages' language model calls. */
  const present = async (project: Project) =>
    presentProject(project, (await projectTokenUsage(orm, [project.id])).get(project.id));
  const requireProject = async (id: string) => {
    const project = await findProject(orm, id);
    if (!project) throw new ProjectNotFoundError(id);
    return project;
  };

  app.post(
    '/',
    {
      config: write,
      schema: {
        summary: 'Create a project (a draft)',
        description:
          'An invalid `spec` or `openapi` document, an unknown `template` or a bad combination of `targets` is 422 ' +
          '`invalid_project`, each fault with its JSON pointer, before anything runs.',
        tags: ['projects'],
        body: createBody,
        response: { 201: projectSchema },
      },
    },
    async (request, reply) => {
      const project = await createProject(orm, request.body, actorOf(request.principal!).id);
      return reply.code(201).send(await present(project));
    },
  );

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: 'List projects, newest first',
        tags: ['projects'],
        querystring: paginationQuery.extend({
          status: z.enum(['draft', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
          owner_id: z.string().max(64).optional(),
        }),
        response: { 200: z.array(projectSchema) },
      },
    },
    async (request, reply) => {
      const { limit, skip, status, owner_id: ownerId } = request.query;
      const page = await listProjects(orm, { limit, skip, status, ownerId });
      const usage = await projectTokenUsage(
        orm,
        page.items.map((project) => project.id),
      );
      return withTotalCount(reply, {
        rows: page.items.map((project) => presentProject(project, usage.get(project.id))),
        total: page.total,
      });
    },
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: { summary: 'One project', tags: ['projects'], params: idParams, response: { 200: projectSchema } },
    },
    async (request) => present(await requireProject(request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: write,
      schema: {
        summary: 'Change a draft project',
        description: 'Only a draft changes (409 `project_state_conflict` once started); only its owner or an admin.',
        tags: ['projects'],
        params: idParams,
        body: changeBody,
        response: { 200: projectSchema },
      },
    },
    async (request) =>
      present(await changeProject(orm, request.params.id, request.body, actorOf(request.principal!), services.now())),
  );

  app.delete(
    '/:id',
    {
      config: write,
      schema: {
        summary: 'Delete a project with its stages, artifacts, repository and files',
        description: 'A running project is 409 until cancelled; only its owner or an admin.',
        tags: ['projects'],
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const deleted = await removeProject(pipeline, request.params.id, actorOf(request.principal!));
      if (!deleted) throw new ProjectNotFoundError(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/:id/start',
    {
      config: write,
      schema: {
        summary: 'Run the pipeline from its first stage',
        description:
          'Queues the first stage; each stage queues the next. A running project is 409. Progress is on `projects/{id}`.',
        tags: ['projects'],
        params: idParams,
        response: { 202: projectSchema },
      },
    },
    async (request, reply) => {
      await requireOwnProject(orm, request.params.id, actorOf(request.principal!));
      const project = await startProject(pipeline, request.params.id, request.principal!.label);
      return reply.code(202).send(await present(project));
    },
  );

  app.post(
    '/:id/retry',
    {
      config: write,
      schema: {
        summary: 'Run again from the failed stage, or from `from_stage`',
        description:
          'The stages before keep their commits; the work tree goes back to the commit of the one just before.',
        tags: ['projects'],
        params: idParams,
        body: z
          .strictObject({ from_stage: z.enum(STAGE_NAMES.filter((stage) => stage !== 'recovery')).optional() })
          .optional(),
        response: { 202: projectSchema },
      },
    },
    async (request, reply) => {
      await requireOwnProject(orm, request.params.id, actorOf(request.principal!));
      const project = await retryProject(
        pipeline,
        request.params.id,
        request.body?.from_stage,
        request.principal!.label,
      );
      return reply.code(202).send(await present(project));
    },
  );

  app.post(
    '/:id/cancel',
    {
      config: write,
      schema: {
        summary: 'Cancel the running pipeline',
        tags: ['projects'],
        params: idParams,
        response: { 200: projectSchema },
      },
    },
    async (request) => {
      await requireOwnProject(orm, request.params.id, actorOf(request.principal!));
      return present((await cancelProject(pipeline, request.params.id)).project);
    },
  );

  app.get(
    '/:id/stages',
    {
      config: read,
      schema: {
        summary: 'The eleven stages of the project, with status, timings, attempts and commits',
        tags: ['projects'],
        params: idParams,
        response: { 200: z.array(stageSchema) },
      },
    },
    async (request) => {
      await requireProject(request.params.id);
      return (await listStages(orm, request.params.id)).map(presentStage);
    },
  );

  app.get(
    '/:id/artifacts',
    {
      config: read,
      schema: {
        summary: "The project's artifacts",
        tags: ['projects'],
        params: idParams,
        response: { 200: z.array(artifactSchema) },
      },
    },
    async (request) => {
      await requireProject(request.params.id);
      return (await listProjectArtifacts(orm, request.params.id)).map(presentArtifact);
    },
  );

  app.get(
    '/:id/artifacts/:artifact_id',
    {
      config: read,
      schema: {
        summary: 'Download one artifact, as stored (its media type; `ETag` is its SHA-256)',
        tags: ['projects'],
        params: idParams.extend({ artifact_id: z.uuid() }),
        response: { 200: z.string().describe("the artifact's bytes, with its media type") },
      },
    },
    async (request, reply) => {
      const artifact = await findArtifact(orm, request.params.artifact_id);
      if (!artifact || artifact.projectId !== request.params.id)
        throw new ArtifactNotFoundError(request.params.artifact_id);
      return reply
        .type(artifact.mediaType)
        .header('etag', `"${artifact.sha256}"`)
        .header('content-disposition', `attachment; filename="${artifact.name.replace(/[^\w.-]/g, '_')}"`)
        .send(bytes(artifact.content));
    },
  );

  app.get(
    '/:id/download',
    {
      config: read,
      schema: {
        summary: 'The generated app as a .tar.gz of a commit (the newest unless `commit` is given)',
        tags: ['projects'],
        params: idParams,
        querystring: z.object({
          commit: z
            .string()
            .regex(/^[0-9a-f]{7,40}$/)
            .optional(),
        }),
        produces: ['application/gzip'],
        response: { 200: z.string().describe('a gzip-compressed tar of the commit, its files under `<name>/`') },
      },
    },
    async (request, reply) => {
      const project = await requireProject(request.params.id);
      const stages = await listStages(orm, project.id);
      const folder = projectFolder(services.config.dataDirectory, project.id);
      const missing = () => new ArtifactNotFoundError(`${project.id}@${request.query.commit ?? 'HEAD'}`);
      if (!project.repositoryId || !existsSync(path.join(folder, '.git'))) throw missing();
      const commit = request.query.commit ?? (await headCommit(folder));
      if (!commit || !stages.some((stage) => stage.commit?.startsWith(commit) || commit === stage.commit)) {
        throw missing();
      }
      // Letters, digits, `_` and `-` only: a prefix of dots would put the archive's entries outside the folder
      // it is extracted into.
      const prefix = project.name.replace(/[^\w-]/g, '_') || 'app';
      const archive = await archiveCommit(folder, commit, prefix);
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="${prefix}-${commit.slice(0, 12)}.tar.gz"`)
        .send(bytes(archive));
    },
  );
};

export default projectRoutes;
