import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { hooklessGit } from './hookless-git.js';

export interface ScratchWorktree {
  /** the checked-out throw-away work tree, detached at the requested commit */
  readonly tree: string;
  /** a private directory next to it for temporary files such as a second index */
  readonly scratch: string;
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Refuses a worktree root inside the repository's own work tree (outside its .git): the scratch trees
 * would show up as untracked files in the user's `git status`.
 */
async function assertRootOutsideWorkTree(repositoryPath: string, root: string): Promise<void> {
  const { stdout } = await hooklessGit(['rev-parse', '--is-bare-repository', '--git-common-dir'], {
    cwd: repositoryPath,
  });
  const [bare, commonDirectory] = stdout.trim().split('\n');
  if (bare === 'true') return;
  const workTree = await realpath(repositoryPath);
  const gitDirectory = await realpath(path.resolve(repositoryPath, commonDirectory ?? '.git'));
  if (isInside(workTree, root) && !isInside(gitDirectory, root)) {
    throw new Error(`The worktree root ${root} lies inside the work tree of ${repositoryPath}`);
  }
}

/**
 * Runs `work` in a fresh `git worktree add --detach` of `commit` under `worktreeRoot` and removes the
 * work tree afterwards, whatever happens. Every call gets its own directory (mkdtemp), so concurrent
 * calls on one repository never share a work tree or an index.
 */
export async function withScratchWorktree<T>(
  repositoryPath: string,
  worktreeRoot: string,
  commit: string,
  work: (worktree: ScratchWorktree) => Promise<T>,
): Promise<T> {
  await mkdir(worktreeRoot, { recursive: true });
  const root = await realpath(worktreeRoot);
  await assertRootOutsideWorkTree(repositoryPath, root);
  const scratch = await mkdtemp(path.join(root, 'apply-'));
  const tree = path.join(scratch, 'tree');
  try {
    await hooklessGit(['worktree', 'add', '--quiet', '--detach', tree, commit], { cwd: repositoryPath });
    return await work({ tree, scratch });
  } finally {
    await hooklessGit(['worktree', 'remove', '--force', tree], { cwd: repositoryPath }).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    // Also clears the administrative entries of scratch trees left by a process that crashed mid-apply.
    await hooklessGit(['worktree', 'prune'], { cwd: repositoryPath }).catch(() => undefined);
  }
}
