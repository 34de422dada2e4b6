import type { Orm } from '../db/database.js';
import { RepositoryRefusedError } from './repository-refused-error.js';
import { findRepository, type Repository } from './repository-store.js';

/** No repository has the id: a refusal (404 `not_found`) like the module's others. */
export class RepositoryNotFoundError extends RepositoryRefusedError {
  constructor(readonly repositoryId: string) {
    super(404, 'not_found', `No repository ${repositoryId}`);
    this.name = 'RepositoryNotFoundError';
  }
}

/** The repository with this id, or a `RepositoryNotFoundError`. */
export async function requireRepository(orm: Orm, id: string): Promise<Repository> {
  const repository = await findRepository(orm, id);
  if (!repository) throw new RepositoryNotFoundError(id);
  return repository;
}
