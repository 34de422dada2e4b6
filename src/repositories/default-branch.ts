import { git } from '../git/git.js';
import { currentBranch, findCommit, repositoryGitOptions } from './git-repository.js';
import { RepositoryRefusedError } from './repository-refused-error.js';

const unknownBranch = (branch: string, field: string) =>
  new RepositoryRefusedError('unknown_branch', `The repository has no branch ${branch}`, field);

/**
 * For a registered folder: the requested branch, which must exist, or else the checked-out one. An unborn
 * branch (a repository without commits) is accepted when it is the checked-out one.
 */
export async function chooseLocalDefaultBranch(
  folder: string,
  requested: string | undefined,
): Promise<{ defaultBranch: string; headCommit: string | undefined }> {
  const checkedOut = await currentBranch(folder);
  const defaultBranch = requested ?? checkedOut;
  if (!defaultBranch) {
    throw new RepositoryRefusedError('unknown_branch', 'HEAD is detached: give default_branch', 'body.default_branch');
  }
  const headCommit = await findCommit(folder, `refs/heads/${defaultBranch}`);
  if (!headCommit && defaultBranch !== checkedOut) throw unknownBranch(defaultBranch, 'body.default_branch');
  return { defaultBranch, headCommit };
}

/**
 * Makes `branch` the default branch's ref to follow: it must exist locally, or for a clone on origin, in
 * which case a local branch tracking it is created (lvlup's own clone; a registered folder is never
 * changed). Answers the branch's commit.
 */
export async function prepareDefaultBranch(
  repository: { path: string; source: 'clone' | 'path' | 'project' },
  branch: string,
): Promise<string> {
  const local = await findCommit(repository.path, `refs/heads/${branch}`);
  if (local) return local;
  const upstream =
    repository.source === 'clone' ? await findCommit(repository.path, `refs/remotes/origin/${branch}`) : undefined;
  if (!upstream) throw unknownBranch(branch, 'body.default_branch');
  await git(['branch', '--quiet', '--track', branch, `origin/${branch}`], repositoryGitOptions(repository.path));
  return upstream;
}
