import { existsSync } from 'node:fs';
import path from 'node:path';
import { RepositoryRefusedError } from './repository-refused-error.js';

/** Refuses with 409 when a repository's work tree (or its .git) is no longer on disk. */
export function assertRepositoryFolder(repository: { readonly path: string }): void {
  if (!existsSync(path.join(repository.path, '.git'))) {
    throw new RepositoryRefusedError(
      'repository_unavailable',
      `The repository's folder ${repository.path} is gone or no longer a git work tree; restore it or delete the repository`,
    );
  }
}
