import { rm } from 'node:fs/promises';
import path from 'node:path';
import { githubAuthentication } from './clone-url.js';
import { prepareDefaultBranch } from './default-branch.js';
import { cloneFolder, type RepositoryServices } from './register-repository.js';
import { assertRepositoryFolder } from './repository-folder.js';
import { withRepositoryLock } from './repository-lock.js';
import {
  deleteRepository,
  findRepository,
  recordSync,
  type Repository,
  type RepositoryChanges,
  updateRepository,
} from './repository-store.js';
import { syncClone, syncLocalRepository } from './sync.js';

/** Applies changes; a new default branch must exist (for a clone, locally or on origin). */
export async function changeRepository(
  services: RepositoryServices,
  id: string,
  changes: Omit<RepositoryChanges, 'headCommit'>,
): Promise<Repository | undefined> {
  return withRepositoryLock(id, async () => {
    const repository = await findRepository(services.database.orm, id);
    if (!repository) return undefined;
    const newBranch = changes.defaultBranch !== repository.defaultBranch ? changes.defaultBranch : undefined;
    if (newBranch !== undefined) assertRepositoryFolder(repository);
    const headCommit = newBranch !== undefined ? await prepareDefaultBranch(repository, newBranch) : undefined;
    return updateRepository(services.database.orm, id, { ...changes, headCommit }, services.now());
  });
}

/** Fetches and (for clones) fast-forwards the default branch, then records the head and the time. */
export async function synchroniseRepository(services: RepositoryServices, id: string): Promise<Repository | undefined> {
  return withRepositoryLock(id, async () => {
    const repository = await findRepository(services.database.orm, id);
    if (!repository) return undefined;
    assertRepositoryFolder(repository);
    const head =
      repository.source === 'clone'
        ? await syncClone(
            repository,
            githubAuthentication(repository.cloneUrl ?? '', services.config.github),
            services.config.outboundAllow,
          )
        : await syncLocalRepository(repository, services.config.outboundAllow);
    return recordSync(services.database.orm, id, head, services.now());
  });
}

/**
 * Deletes a repository (its proposals cascade). A clone's folder in the data folder goes too; a
 * registered path's files are never touched. The row goes first: a folder left behind by a crash is
 * harmless, a row pointing at a half-deleted folder is not.
 */
export async function removeRepository(
  services: RepositoryServices,
  id: string,
): Promise<{ repository: Repository; folderRemoved: boolean } | undefined> {
  return withRepositoryLock(id, async () => {
    const repository = await deleteRepository(services.database.orm, id);
    if (!repository) return undefined;
    const ownFolder = cloneFolder(services.config.dataDirectory, id);
    if (repository.source !== 'clone' || path.resolve(repository.path) !== ownFolder) {
      return { repository, folderRemoved: false };
    }
    await rm(ownFolder, { recursive: true, force: true });
    return { repository, folderRemoved: true };
  });
}
