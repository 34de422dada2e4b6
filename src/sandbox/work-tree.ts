import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkOutIsolated } from '../git/isolated-checkout.js';
import { makeOwnedFolder, removeAbandonedFolders } from '../git/scratch-folders.js';
import { repositoryGitOptions } from '../repositories/git-repository.js';
import { resolveInWorkTree } from '../repositories/safe-path.js';

/** A checkout of one commit in a folder of its own, removed by `dispose`. */
export interface ThrowAwayWorkTree {
  readonly path: string;
  dispose(): Promise<void>;
}

let memoryFolder: Promise<string> | undefined;

/** The name every sandbox work tree's folder starts with. */
export const SANDBOX_PREFIX = 'lvlup-sandbox-';

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
 * Checks `commit` out into a new folder under `root` (by default `defaultWorkRoot()`) — never under
 * lvlup's data folder, which sandboxed commands must not see — with a git directory of lvlup's own next
 * to it (checkOutIsolated): the repository's configuration, hooks and attributes drivers play no part, and
 * the repository itself is not written to. `dispose` removes both; a process that died first leaves them
 * to the next start or run (removeAbandonedFolders).
 */
export async function createWorkTree(
  repositoryPath: string,
  commit: string,
  root?: string,
): Promise<ThrowAwayWorkTree> {
  const workRoot = root ?? (await defaultWorkRoot());
  await removeAbandonedFolders(workRoot, SANDBOX_PREFIX);
  const parent = await makeOwnedFolder(workRoot, SANDBOX_PREFIX);
  // mkdtemp makes the folder private to lvlup's user; the unprivileged account that process mode runs
  // commands as must be able to pass through it to reach the work tree (not list it).
  await chmod(parent, 0o711);
  const folder = path.join(parent, `tree-${randomBytes(4).toString('hex')}`);
  const options = repositoryGitOptions(repositoryPath, { timeoutMs: 120_000 });
  try {
    await checkOutIsolated(repositoryPath, commit, { tree: folder, gitDirectory: path.join(parent, 'git') }, options);
  } catch (error) {
    await rm(parent, { recursive: true, force: true });
    throw error;
  }
  let disposal: Promise<void> | undefined;
  return {
    path: folder,
    // Idempotent: a caller may start the removal early and still await it in its clean-up.
    dispose: () => (disposal ??= rm(parent, { recursive: true, force: true })),
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
