import type { Orm } from '../db/database.js';
import { browseDirectory, browseFile } from './browse.js';
import { requireRepository } from './require-repository.js';

/** A directory of the repository with this id at a revision (src/repositories/browse.ts). */
export async function browseRepositoryDirectory(orm: Orm, id: string, path: string, ref: string | undefined) {
  return browseDirectory(await requireRepository(orm, id), path, ref);
}

/** A file of the repository with this id at a revision (src/repositories/browse.ts). */
export async function browseRepositoryFile(orm: Orm, id: string, path: string, ref: string | undefined) {
  return browseFile(await requireRepository(orm, id), path, ref);
}
