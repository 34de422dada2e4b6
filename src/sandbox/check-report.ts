import type { Orm } from '../db/database.js';
import { resolveCommit } from '../repositories/git-repository.js';
import { requireRepository } from '../repositories/require-repository.js';
import { repositoryChecks, type RepositoryChecks } from './checks.js';

export interface CheckReport {
  readonly commit: string;
  /** what Sandbox runs: the configured commands, or else the detected ones */
  readonly commands: readonly string[];
  readonly source: RepositoryChecks['source'];
  readonly configured: readonly string[];
  readonly detected: readonly string[];
}

/** The checks Sandbox runs on the repository's proposals, at a revision (its default branch unless given). */
export async function repositoryCheckReport(orm: Orm, id: string, ref: string | undefined): Promise<CheckReport> {
  const repository = await requireRepository(orm, id);
  const commit = await resolveCommit(repository, ref ?? repository.defaultBranch);
  const checks = await repositoryChecks(repository, commit);
  return {
    commit,
    commands: checks.commands,
    source: checks.source,
    configured: repository.checkCommands,
    detected: checks.detected,
  };
}
