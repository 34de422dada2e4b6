import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { GitError } from '../../git/git.js';
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
 * `git worktree add` lists the repository's existing work trees and fails when one of them is still being
 * created or removed by another git process ("failed to read .git/worktrees/<name>/commondir"). Adding
 * and removing are therefore serialised per repository within this process, and an add that still loses
 * that race against another process is retried.
 */
const worktreeBookkeeping = new Map<string, Promise<unknown>>();

function serialised<T>(repositoryPath: string, step: () => Promise<T>): Promise<T> {
  const previous = worktreeBookkeeping.get(repositoryPath) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(step);
  worktreeBookkeeping.set(repositoryPath, next);
  void next
    .finally(() => {
      if (worktreeBookkeeping.get(repositoryPath) === next) worktreeBookkeeping.delete(repositoryPath);
    })
    .catch(() => undefined);
  return next;
}

async function addWorktree(repositoryPath: string, tree: string, commit: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await serialised(repositoryPath, () =>
        hooklessGit(['worktree', 'add', '--quiet', '--detach', '--no-checkout', tree, commit], { cwd: repositoryPath }),
      );
      break;
    } catch (error) {
      if (!(error instanceof GitError) || attempt === 3) throw error;
      await rm(tree, { recursive: true, force: true });
      await setTimeout(50 * attempt);
    }
  }
  // The checkout itself runs outside the serialised step: it only touches this work tree and its index.
  await hooklessGit(['reset', '--hard', '--quiet'], { cwd: tree });
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
  const repository = await realpath(repositoryPath);
  await assertRootOutsideWorkTree(repository, root);
  const scratch = await mkdtemp(path.join(root, 'apply-'));
  // git names the work tree's administrative directory after the last path component: keep it unique.
  const tree = path.join(scratch, path.basename(scratch));
  try {
    await addWorktree(repository, tree, commit);
    return await work({ tree, scratch });
  } finally {
    await serialised(repository, async () => {
      await hooklessGit(['worktree', 'remove', '--force', tree], { cwd: repository }).catch(() => undefined);
      await rm(scratch, { recursive: true, force: true });
      // Also clears the administrative entries of scratch trees left by a process that crashed mid-apply.
      await hooklessGit(['worktree', 'prune'], { cwd: repository }).catch(() => undefined);
    });
  }
}
