import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { grants } from '../../../../../accounts/roles.js';
import { branchNameSchema, revisionSchema } from '../../../../../repositories/branch-name.js';
import { browseRepositoryDirectory, browseRepositoryFile } from '../../../../../repositories/browse-repository.js';
import {
  changeRepository,
  removeRepository,
  synchroniseRepository,
} from '../../../../../repositories/manage-repository.js';
import { repositoryPolicyPatchSchema } from '../../../../../repositories/policy.js';
import { registerClone, registerLocalPath } from '../../../../../repositories/register-repository.js';
import { RepositoryNotFoundError } from '../../../../../repositories/repository-not-found-error.js';
import { listRepositories } from '../../../../../repositories/repository-store.js';
import { requireRepository } from '../../../../../repositories/require-repository.js';
import { repositoryCheckReport } from '../../../../../sandbox/check-report.js';
import { forbidden } from '../../../../problem.js';
import { idParams, paginationQuery, withTotalCount } from '../representations.js';
import { fileSchema, presentRepository, repositorySchema, treeSchema } from './repository-representation.js';

const nameSchema = z.string().trim().min(1).max(200);
const checkCommandsSchema = z
  .array(z.string().trim().min(1, 'must not be empty').max(2000))
  .max(20)
  .describe('commands Sandbox runs to build and test a proposal, in order (at most 20)');

const createBody = z
  .object({
    name: nameSchema.optional().describe('defaults to the last part of the URL or path'),
    clone_url: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe(
        'an https:// or file:// URL to clone; an https host must resolve to public addresses only (or ones in LVLUP_OUTBOUND_ALLOW)',
      ),
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('an existing work tree to register in place (admin; must be under LVLUP_REPO_ROOTS)'),
    default_branch: branchNameSchema.optional().describe("defaults to the clone's HEAD or the checked-out branch"),
    check_commands: checkCommandsSchema.optional(),
    policy: repositoryPolicyPatchSchema.optional().describe('fields to change from the default policy'),
  })
  .superRefine((body, context) => {
    if ((body.clone_url === undefined) === (body.path === undefined)) {
      context.addIssue({ code: 'custom', path: ['clone_url'], message: 'give exactly one of clone_url and path' });
    }
  });

const changeBody = z
  .object({
    name: nameSchema.optional(),
    default_branch: branchNameSchema.optional(),
    check_commands: checkCommandsSchema.optional(),
    policy: repositoryPolicyPatchSchema.optional().describe('fields to change; the others keep their value'),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'must change at least one field',
  });

const browseQuery = (pathSchema: z.ZodType<string>) =>
  z.object({
    path: pathSchema,
    ref: revisionSchema.optional().describe('a branch, tag or commit; the default branch unless given'),
  });

const repositories: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;
  const read = { auth: { scope: 'repos:read' as const } };
  const write = { auth: { scope: 'repos:write' as const } };

  app.get(
    '/',
    {
      config: read,
      schema: {
        summary: 'List repositories',
        tags: ['repositories'],
        querystring: paginationQuery,
        response: { 200: z.array(repositorySchema) },
      },
    },
    async (request, reply) => withTotalCount(reply, await listRepositories(orm, request.query)).map(presentRepository),
  );

  app.post(
    '/',
    {
      config: write,
      schema: {
        summary: 'Register a repository by clone URL or local path',
        description:
          'With `clone_url` (https:// or file://) lvlup clones it into its data folder; GitHub URLs use ' +
          'GITHUB_TOKEN when set, without storing it. A file:// URL must be under LVLUP_REPO_ROOTS. With `path` ' +
          '(admin scope) an existing work tree under LVLUP_REPO_ROOTS is registered in place and never modified.',
        tags: ['repositories'],
        body: createBody,
        response: { 201: repositorySchema },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { body } = request;
      const settings = {
        name: body.name,
        defaultBranch: body.default_branch,
        checkCommands: body.check_commands,
        policy: body.policy,
        createdBy: principal.label,
      };
      if (body.path !== undefined && !grants(principal.scopes, 'admin')) {
        throw forbidden('Registering a local path needs the admin scope; others may register a clone URL.');
      }
      const repository =
        body.path !== undefined
          ? await registerLocalPath(services, body.path, settings)
          : await registerClone(services, body.clone_url!, settings);
      return reply.code(201).send(presentRepository(repository));
    },
  );

  app.get(
    '/:id',
    {
      config: read,
      schema: {
        summary: 'Get a repository',
        tags: ['repositories'],
        params: idParams,
        response: { 200: repositorySchema },
      },
    },
    async (request) => presentRepository(await requireRepository(orm, request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: write,
      schema: {
        summary: "Change a repository's name, default branch, check commands or policy",
        tags: ['repositories'],
        params: idParams,
        body: changeBody,
        response: { 200: repositorySchema },
      },
    },
    async (request) => {
      const updated = await changeRepository(services, request.params.id, {
        name: request.body.name,
        defaultBranch: request.body.default_branch,
        checkCommands: request.body.check_commands,
        policy: request.body.policy,
      });
      if (!updated) throw new RepositoryNotFoundError(request.params.id);
      return presentRepository(updated);
    },
  );

  app.delete(
    '/:id',
    {
      config: write,
      schema: {
        summary: 'Delete a repository and its proposals',
        description: "A clone's folder in the data folder is removed; a registered path's files are never touched.",
        tags: ['repositories'],
        params: idParams,
        response: { 200: repositorySchema },
      },
    },
    async (request) => {
      const removed = await removeRepository(services, request.params.id);
      if (!removed) throw new RepositoryNotFoundError(request.params.id);
      return presentRepository(removed.repository);
    },
  );

  app.post(
    '/:id/sync',
    {
      config: write,
      schema: {
        summary: 'Fetch and fast-forward the default branch',
        description:
          'A clone fetches origin and fast-forwards its default branch (409 `diverged` when that is impossible). ' +
          "A registered path fetches its remotes, if any, and only refreshes head_commit: its branches and files are the user's.",
        tags: ['repositories'],
        params: idParams,
        response: { 200: repositorySchema },
      },
    },
    async (request) => {
      const synced = await synchroniseRepository(services, request.params.id);
      if (!synced) throw new RepositoryNotFoundError(request.params.id);
      return presentRepository(synced);
    },
  );

  app.get(
    '/:id/tree',
    {
      config: { ...read, problemFields: { unsafe_path: 'querystring.path' } },
      schema: {
        summary: 'List a directory of the repository at a revision',
        description: 'Read from git objects: committed content only, never uncommitted changes in the work tree.',
        tags: ['repositories'],
        params: idParams,
        querystring: browseQuery(z.string().max(4096).default('').describe('directory; the root unless given')),
        response: { 200: treeSchema },
      },
    },
    async (request) => {
      const { params, query } = request;
      const tree = await browseRepositoryDirectory(orm, params.id, query.path, query.ref);
      return {
        ...tree,
        entries: tree.entries.map((entry) => ({
          name: entry.name,
          path: entry.path,
          type: entry.type,
          ...(entry.type === 'file' ? { size: entry.size } : {}),
        })),
      };
    },
  );

  app.get(
    '/:id/file',
    {
      config: { ...read, problemFields: { unsafe_path: 'querystring.path' } },
      schema: {
        summary: 'Read a file of the repository at a revision',
        description:
          'Read from git objects: committed content only. Paths that are absolute, contain `..` or NUL, point ' +
          'into .git or through a symbolic link are refused with 400 `unsafe_path`; files over 1 MiB with 413.',
        tags: ['repositories'],
        params: idParams,
        querystring: browseQuery(z.string().min(1).max(4096).describe('file path relative to the repository root')),
        response: { 200: fileSchema },
      },
    },
    async (request) => browseRepositoryFile(orm, request.params.id, request.query.path, request.query.ref),
  );

  app.get(
    '/:id/checks',
    {
      config: read,
      schema: {
        summary: 'The checks Sandbox runs on every proposal of the repository',
        description:
          'Configured commands (`check_commands`, editable with PATCH) win; without them, the commands detected ' +
          'from the repository’s files at the revision: package.json `build`/`lint`/`test` scripts, a pytest ' +
          'configuration, a Makefile `test` target, go.mod, Cargo.toml. `source` is `none` when there are no checks.',
        tags: ['repositories'],
        params: idParams,
        querystring: z.object({
          ref: revisionSchema.optional().describe('branch, tag or commit; the default branch when left out'),
        }),
        response: {
          200: z.object({
            commit: z.string(),
            commands: z.array(z.string()),
            source: z.enum(['configured', 'detected', 'none']),
            configured: z.array(z.string()),
            detected: z.array(z.string()),
          }),
        },
      },
    },
    async (request) => {
      const report = await repositoryCheckReport(orm, request.params.id, request.query.ref);
      return {
        ...report,
        commands: [...report.commands],
        configured: [...report.configured],
        detected: [...report.detected],
      };
    },
  );
};

export default repositories;
