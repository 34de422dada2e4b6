import { mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../git/git.js';
import { checkOutIsolated } from '../../git/isolated-checkout.js';
import { makeOwnedFolder, removeAbandonedFolders } from '../../git/scratch-folders.js';

export interface ScratchWorktree {
  /** the checked-out throw-away work tree, detached at the requested commit, with a git directory of its own */
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
  const { stdout } = await git(['rev-parse', '--is-bare-repository', '--git-common-dir'], {
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

/** The name every apply checkout's folder starts with. */
export const APPLY_PREFIX = 'apply-';

/**
 * Runs `work` in a fresh isolated checkout (checkOutIsolated) of `commit` under `worktreeRoot` and removes
 * it afterwards, whatever happens. Every call gets its own folder (mkdtemp), so concurrent calls on one
 * repository never share a work tree or an index. Folders that a killed process left are removed first.
 */
export async function withScratchWorktree<T>(
  repositoryPath: string,
  worktreeRoot: string,
  commit: string,
  work: (worktree: ScratchWorktree) => Promise<T>,
): Promise<T> {
  await mkdir(worktreeRoot, { recursive: true });
  const root = await realpath(worktreeRoot);
  const repository = await realpath(repositoryPath);
  await assertRootOutsideWorkTree(repository, root);
  await removeAbandonedFolders(root, APPLY_PREFIX);
  const scratch = await makeOwnedFolder(root, APPLY_PREFIX);
  const tree = path.join(scratch, 'tree');
  try {
    await checkOutIsolated(repository, commit, { tree, gitDirectory: path.join(scratch, 'git') });
    return await work({ tree, scratch });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Where applying proposals makes its checkouts: inside lvlup's data folder. */
export function applyCheckoutRoot(dataDirectory: string): string {
  return path.join(dataDirectory, 'worktrees');
}
