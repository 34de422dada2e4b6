import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../git/git.js';
import { repositoryGitOptions } from '../repositories/git-repository.js';
import { resolveInWorkTree } from '../repositories/safe-path.js';

/** A checkout of one commit in a folder of its own, removed by `dispose`. */
export interface ThrowAwayWorkTree {
  readonly path: string;
  dispose(): Promise<void>;
}

let memoryFolder: Promise<string> | undefined;
const pruned = new Set<string>();

/**
 * Where throw-away work trees go when SANDBOX_WORK_DIR does not say: a memory file system (/dev/shm) when
 * the machine has a writable one, else the system's temporary folder. Checking out thousands of small
 * files is dominated by the file system: on this project's machines 2,000 files take ~1.4 s on the disk
 * and ~60 ms in memory, and the tree lives only as long as one run.
 */
export function defaultWorkRoot(): Promise<string> {
  memoryFolder ??= (async () => {
    try {
      await access('/dev/shm', constants.W_OK);
      if ((await stat('/dev/shm')).isDirectory()) return '/dev/shm';
    } catch {
      // no usable memory file system
    }
    return os.tmpdir();
  })();
  return memoryFolder;
}

/**
 * Checks `commit` out with `git worktree add --detach` into a new folder under `root` (by default
 * `defaultWorkRoot()`) — never under lvlup's data folder, which sandboxed commands must not see. The
 * repository itself gains only git's bookkeeping entry for the worktree (in .git/worktrees), removed again
 * by `dispose`; a crash leaves an entry that the next process's first creation prunes.
 */
export async function createWorkTree(
  repositoryPath: string,
  commit: string,
  root?: string,
): Promise<ThrowAwayWorkTree> {
  const parent = await mkdtemp(path.join(root ?? (await defaultWorkRoot()), 'lvlup-sandbox-'));
  // mkdtemp makes the folder private to lvlup's user; the unprivileged account that process mode runs
  // commands as must be able to pass through it to reach the work tree (not list it).
  await chmod(parent, 0o711);
  const folder = path.join(parent, `tree-${randomBytes(4).toString('hex')}`);
  const options = repositoryGitOptions(repositoryPath, { timeoutMs: 120_000 });
  try {
    if (!pruned.has(repositoryPath)) {
      // Entries of work trees a crash left behind; once per repository and process is enough, since this
      // process removes every tree it makes.
      await git(['worktree', 'prune'], options);
      pruned.add(repositoryPath);
    }
    await git(['worktree', 'add', '--detach', '--quiet', folder, commit], options);
  } catch (error) {
    await rm(parent, { recursive: true, force: true });
    throw error;
  }
  let disposal: Promise<void> | undefined;
  const dispose = async () => {
    const removed = await git(['worktree', 'remove', '--force', folder], options).then(
      () => true,
      () => false,
    );
    await rm(parent, { recursive: true, force: true });
    // `remove` drops git's entry with the tree; only when it failed is there an entry left to prune.
    if (!removed) await git(['worktree', 'prune'], options).catch(() => undefined);
  };
  return {
    path: folder,
    // Idempotent: a caller may start the removal early and still await it in its clean-up.
    dispose: () => (disposal ??= dispose()),
  };
}

/** Writes a proposal's new file contents into a work tree; each path is resolved safely inside it. */
export async function writeChanges(
  workTree: string,
  changes: readonly { file_path: string; code_after: string }[],
): Promise<void> {
  for (const change of changes) {
    const { absolute } = await resolveInWorkTree(workTree, change.file_path);
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, change.code_after);
  }
}

/** Folders of installed dependencies that checks need and that git does not track. */
const DEPENDENCY_FOLDERS = ['node_modules', '.venv', 'venv'];

/**
 * The repository's installed dependencies, to be seen read-only at the same place in the work tree, so
 * that checks run without installing anything (and without network).
 */
export async function dependencyBinds(
  repositoryPath: string,
  workTree: string,
): Promise<{ source: string; target: string }[]> {
  const binds = [];
  for (const folder of DEPENDENCY_FOLDERS) {
    const source = path.join(repositoryPath, folder);
    const found = await stat(source).catch(() => undefined);
    if (found?.isDirectory()) binds.push({ source, target: path.join(workTree, folder) });
  }
  return binds;
}
