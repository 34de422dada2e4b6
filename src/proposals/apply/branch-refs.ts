import { git, GitError } from '../../git/git.js';

/** The commit a branch points at, or undefined when it does not exist. */
export async function readBranchTip(repositoryPath: string, branch: string): Promise<string | undefined> {
  try {
    const { stdout } = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
      cwd: repositoryPath,
    });
    return stdout.trim();
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return undefined;
    throw error;
  }
}

/** The full name of a commit given as a hexadecimal (possibly abbreviated) object name, or undefined. */
export async function resolveCommit(repositoryPath: string, name: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,64}$/i.test(name)) return undefined;
  try {
    const { stdout } = await git(['rev-parse', '--verify', '--quiet', `${name}^{commit}`], {
      cwd: repositoryPath,
    });
    return stdout.trim();
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

/** The work tree (main or linked) that has `branch` checked out, if any. */
export async function workTreeHoldingBranch(repositoryPath: string, branch: string): Promise<string | undefined> {
  const { stdout } = await git(['worktree', 'list', '--porcelain', '-z'], { cwd: repositoryPath });
  let current: string | undefined;
  for (const line of stdout.split('\0')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}`) return current;
  }
  return undefined;
}

/**
 * Creates `refs/heads/<branch>` at `commit` only if it does not exist yet; `update-ref` checks that under
 * the ref's lock, so of two concurrent creators exactly one succeeds. Returns false when the branch exists.
 */
export async function createBranch(repositoryPath: string, branch: string, commit: string): Promise<boolean> {
  try {
    await git(['update-ref', '--stdin', '-m', 'lvlup: apply proposal'], {
      cwd: repositoryPath,
      input: `create refs/heads/${branch} ${commit}\n`,
    });
    return true;
  } catch (error) {
    if (error instanceof GitError && (await readBranchTip(repositoryPath, branch)) !== undefined) return false;
    throw error;
  }
}

/**
 * Moves `refs/heads/<branch>` from `expected` to `commit` (compare-and-swap under the ref's lock).
 * Returns false when the branch no longer points at `expected` or another writer holds its lock.
 */
export async function moveBranch(
  repositoryPath: string,
  branch: string,
  commit: string,
  expected: string,
): Promise<boolean> {
  try {
    await git(['update-ref', '--stdin', '-m', 'lvlup: apply proposal'], {
      cwd: repositoryPath,
      input: `update refs/heads/${branch} ${commit} ${expected}\n`,
    });
    return true;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const tip = await readBranchTip(repositoryPath, branch);
    if (tip !== expected || /\.lock'?: File exists|cannot lock ref/i.test(error.stderr)) return false;
    throw error;
  }
}
