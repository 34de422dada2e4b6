import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { git, GitError } from '../git/git.js';
import { repositoryGitOptions } from './git-repository.js';
import { RepositoryRefusedError } from './repository-refused-error.js';

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function realDirectory(folder: string): Promise<string | undefined> {
  try {
    const real = await realpath(folder);
    return (await stat(real)).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The real path of a local folder that lies under one of the allowed roots (after following every
 * symbolic link, so a link inside a root cannot lead out of it) and not in lvlup's own data folder.
 * `field` names the request field the folder came from.
 */
export async function allowedLocalFolder(
  requested: string,
  options: { roots: readonly string[]; dataDirectory: string; field: string },
): Promise<string> {
  if (options.roots.length === 0) {
    throw new RepositoryRefusedError(
      'local_paths_disabled',
      'Local repositories are disabled on this server: set LVLUP_REPO_ROOTS to the folders they may come from.',
      options.field,
    );
  }
  if (!path.isAbsolute(requested)) {
    throw new RepositoryRefusedError('not_a_repository', 'must be an absolute path', options.field);
  }
  const real = await realDirectory(requested);
  if (!real) {
    throw new RepositoryRefusedError('not_a_repository', `${requested} is not an existing folder`, options.field);
  }
  const roots = (await Promise.all(options.roots.map(realDirectory))).filter((root) => root !== undefined);
  if (!roots.some((root) => isInside(root, real))) {
    throw new RepositoryRefusedError(
      'path_not_allowed',
      `${requested} is not under any of the folders in LVLUP_REPO_ROOTS (${options.roots.join(', ')})`,
      options.field,
    );
  }
  const dataDirectory = await realDirectory(options.dataDirectory);
  if (dataDirectory && isInside(dataDirectory, real)) {
    throw new RepositoryRefusedError('path_not_allowed', `${requested} is inside lvlup's data folder`, options.field);
  }
  return real;
}

/** Checks that `folder` (a real path) is the top folder of a git work tree. */
export async function assertWorkTreeTop(folder: string, field: string): Promise<void> {
  let top: string;
  try {
    top = (await git(['rev-parse', '--show-toplevel'], repositoryGitOptions(folder))).stdout.trim();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new RepositoryRefusedError('not_a_repository', `${folder} is not a git work tree`, field);
  }
  if ((await realDirectory(top)) !== folder) {
    throw new RepositoryRefusedError(
      'not_a_repository',
      `${folder} is inside the git work tree ${top}; register its top folder`,
      field,
    );
  }
}
