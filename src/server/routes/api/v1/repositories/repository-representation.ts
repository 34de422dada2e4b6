import { z } from 'zod';
import { effectivePolicy, repositoryPolicySchema } from '../../../../../repositories/policy.js';
import type { Repository } from '../../../../../repositories/repository-store.js';

export const repositorySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    source: z
      .enum(['clone', 'path'])
      .describe('`clone`: cloned by lvlup into its data folder; `path`: registered in place'),
    clone_url: z
      .string()
      .nullable()
      .describe('the URL cloned from (never with credentials); null for a registered path'),
    path: z.string().describe('the work tree: the clone in the data folder, or the registered folder'),
    default_branch: z.string(),
    head_commit: z.string().nullable().describe("the default branch's commit at the last registration, sync or change"),
    check_commands: z.array(z.string()).describe('commands Sandbox runs to build and test a proposal'),
    policy: repositoryPolicySchema,
    created_by: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    last_synced_at: z.string().nullable(),
  })
  .meta({ id: 'Repository' });

export function presentRepository(repository: Repository): z.infer<typeof repositorySchema> {
  return {
    id: repository.id,
    name: repository.name,
    source: repository.source,
    clone_url: repository.cloneUrl,
    path: repository.path,
    default_branch: repository.defaultBranch,
    head_commit: repository.headCommit,
    check_commands: repository.checkCommands,
    policy: effectivePolicy(repository.policy),
    created_by: repository.createdBy,
    created_at: repository.createdAt.toISOString(),
    updated_at: repository.updatedAt.toISOString(),
    last_synced_at: repository.lastSyncedAt?.toISOString() ?? null,
  };
}

export const treeEntrySchema = z
  .object({
    name: z.string(),
    path: z.string(),
    type: z.enum(['file', 'directory', 'symlink', 'submodule']),
    size: z.number().int().optional().describe('bytes; files only'),
  })
  .meta({ id: 'TreeEntry' });

export const treeSchema = z
  .object({
    path: z.string().describe('the directory, relative to the repository root ("" for the root)'),
    ref: z.string().describe('the revision asked for (the default branch unless given)'),
    commit: z.string().describe('the commit it resolved to'),
    entries: z.array(treeEntrySchema),
  })
  .meta({ id: 'RepositoryTree' });

export const fileSchema = z
  .object({
    path: z.string(),
    ref: z.string(),
    commit: z.string(),
    size: z.number().int().describe('bytes'),
    sha256: z.string().describe('hex SHA-256 of the bytes'),
    encoding: z.enum(['utf8', 'base64']).describe('utf8 for text; base64 for anything that is not valid UTF-8 text'),
    content: z.string(),
  })
  .meta({ id: 'RepositoryFile' });
