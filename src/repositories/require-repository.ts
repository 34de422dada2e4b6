import type { Orm } from '../db/database.js';
import { RepositoryNotFoundError } from './repository-not-found-error.js';
import { findRepository, type Repository } from './repository-store.js';

/** The repository with this id, or a `RepositoryNotFoundError` naming `field` when given. */
export async function requireRepository(orm: Orm, id: string, field?: string): Promise<Repository> {
  const repository = await findRepository(orm, id);
  if (!repository) throw new RepositoryNotFoundError(id, field);
  return repository;
}
