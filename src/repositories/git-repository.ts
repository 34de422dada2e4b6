import path from 'node:path';
import { git, GitError, gitBytes, type GitOptions } from '../git/git.js';
import { normaliseRelativePath, UnsafePathError } from './safe-path.js';

/** A revision that names no commit in the repository. */
export class UnknownRevisionError extends Error {
  readonly code = 'unknown_revision';
  constructor(readonly revision: string) {
    super(`No commit ${JSON.stringify(revision)} in the repository`);
    this.name = 'UnknownRevisionError';
  }
}

export type TreeEntryType = 'file' | 'directory' | 'symlink' | 'submodule';

export interface TreeEntry {
  readonly name: string;
  /** repository-relative, forward slashes */
  readonly path: string;
  readonly type: TreeEntryType;
  /** git file mode, e.g. 100644, 100755, 040000, 120000, 160000 */
  readonly mode: string;
  /** the blob, tree or (for a submodule) commit id */
  readonly object: string;
  /** bytes; files and symbolic links only */
  readonly size: number | undefined;
}

/**
 * Options for running git on a repository's folder. The ceiling stops git from looking above the folder
 * for a repository: if the folder's own .git went missing, git would otherwise silently use an enclosing
 * repository (the parent of a registered path may well be one).
 */
export function repositoryGitOptions(repositoryPath: string, options: Partial<GitOptions> = {}): GitOptions {
  return {
    ...options,
    cwd: repositoryPath,
    environment: { GIT_CEILING_DIRECTORIES: path.dirname(repositoryPath), ...options.environment },
  };
}

/** The commit `revision` names, or undefined when it names none. */
export async function findCommit(repositoryPath: string, revision: string): Promise<string | undefined> {
  try {
    const { stdout } = await git(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`],
      repositoryGitOptions(repositoryPath),
    );
    return stdout.trim();
  } catch (error) {
    // --verify --quiet exits 1, silently, for a revision that names nothing
    if (error instanceof GitError && error.exitCode === 1) return undefined;
    throw error;
  }
}

/**
 * The commit a revision names. A bare branch name that is only a remote-tracking branch (`feature` in a
 * clone, whose local branches are just the default one) is looked up under `origin/` as well.
 */
export async function resolveCommit(repository: { path: string }, revision: string): Promise<string> {
  if (revision.startsWith('-')) throw new UnknownRevisionError(revision);
  const commit =
    (await findCommit(repository.path, revision)) ??
    (await findCommit(repository.path, `refs/remotes/origin/${revision}`));
  if (!commit) throw new UnknownRevisionError(revision);
  return commit;
}

/** The commit at the tip of the repository's default branch. */
export async function resolveHead(repository: { path: string; defaultBranch: string }): Promise<string> {
  const commit = await findCommit(repository.path, `refs/heads/${repository.defaultBranch}`);
  if (!commit) throw new UnknownRevisionError(repository.defaultBranch);
  return commit;
}

/** The branch HEAD is on (possibly unborn), or undefined when HEAD is detached. */
export async function currentBranch(repositoryPath: string): Promise<string | undefined> {
  try {
    const { stdout } = await git(['symbolic-ref', '--quiet', 'HEAD'], repositoryGitOptions(repositoryPath));
    const reference = stdout.trim();
    return reference.startsWith('refs/heads/') ? reference.slice('refs/heads/'.length) : undefined;
  } catch (error) {
    // --quiet exits 1, silently, when HEAD is detached
    if (error instanceof GitError && error.exitCode === 1) return undefined;
    throw error;
  }
}

const TYPES: Record<string, TreeEntryType> = { blob: 'file', tree: 'directory', commit: 'submodule' };

/** The entries of one tree object (`git ls-tree -l -z`: mode, type, object, size, then the name). */
async function readTree(repositoryPath: string, tree: string, directory: string): Promise<TreeEntry[]> {
  const { stdout } = await git(['ls-tree', '-z', '-l', '--end-of-options', tree], repositoryGitOptions(repositoryPath));
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((record) => {
      const match = /^(\d{6}) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
      if (!match) throw new Error(`Unexpected git ls-tree output: ${JSON.stringify(record)}`);
      const [, mode, kind, object, size, name] = match as unknown as [string, string, string, string, string, string];
      const type = mode === '120000' ? 'symlink' : TYPES[kind];
      if (!type) throw new Error(`Unexpected git object type ${kind}`);
      return {
        name,
        path: directory === '' ? name : `${directory}/${name}`,
        type,
        mode,
        object,
        size: size === '-' ? undefined : Number(size),
      };
    });
}

/**
 * The tree entry at `relativePath` in `commit`, walking the trees one component at a time; undefined when
 * nothing is there. A symbolic link anywhere along the path (or at its end) is refused: its target is
 * outside git's control and may point anywhere.
 */
export async function findEntry(
  repository: { path: string },
  commit: string,
  relativePath: string,
): Promise<TreeEntry | undefined> {
  const relative = normaliseRelativePath(relativePath);
  const segments = relative.split('/');
  let tree = commit;
  let entry: TreeEntry | undefined;
  for (const [index, segment] of segments.entries()) {
    const directory = segments.slice(0, index).join('/');
    entry = (await readTree(repository.path, tree, directory)).find((candidate) => candidate.name === segment);
    if (!entry) return undefined;
    if (entry.type === 'symlink') throw new UnsafePathError(relativePath, `${entry.path} is a symbolic link`);
    if (index < segments.length - 1) {
      if (entry.type !== 'directory') return undefined;
      tree = entry.object;
    }
  }
  return entry;
}

/**
 * What stands in the way of adding a file at `relativePath` in the commit `ref` names: the entry at the
 * path itself (a file, directory, symbolic link or submodule), or the first entry along it that is not a
 * directory (a file `a` blocks `a/b`). Undefined when nothing does. Symbolic links are returned, not
 * followed.
 */
export async function occupantOfPath(
  repository: { path: string },
  ref: string,
  relativePath: string,
): Promise<TreeEntry | undefined> {
  const segments = normaliseRelativePath(relativePath).split('/');
  let tree = await resolveCommit(repository, ref);
  for (const [index, segment] of segments.entries()) {
    const directory = segments.slice(0, index).join('/');
    const entry = (await readTree(repository.path, tree, directory)).find((candidate) => candidate.name === segment);
    if (!entry) return undefined;
    if (index === segments.length - 1 || entry.type !== 'directory') return entry;
    tree = entry.object;
  }
  return undefined;
}

/** The entries of the directory at `relativePath` ('' for the root); undefined when it is not a directory. */
export async function listDirectory(
  repository: { path: string },
  commit: string,
  relativePath: string,
): Promise<TreeEntry[] | undefined> {
  const relative = normaliseRelativePath(relativePath, { allowRoot: true });
  if (relative === '') return readTree(repository.path, commit, '');
  const entry = await findEntry(repository, commit, relative);
  if (entry?.type !== 'directory') return undefined;
  return readTree(repository.path, entry.object, relative);
}

export async function readBlob(repository: { path: string }, blob: string): Promise<Buffer> {
  const { stdout } = await gitBytes(['cat-file', 'blob', blob], repositoryGitOptions(repository.path));
  return stdout;
}

/**
 * The committed content of a file at a revision, from git's object store (never the checked-out files);
 * undefined when there is no file there. Refuses unsafe paths and symbolic links with UnsafePathError.
 */
export async function readFileAtRef(
  repository: { path: string },
  ref: string,
  relativePath: string,
): Promise<string | undefined> {
  const relative = normaliseRelativePath(relativePath);
  const entry = await findEntry(repository, await resolveCommit(repository, ref), relative);
  if (entry?.type !== 'file') return undefined;
  return (await readBlob(repository, entry.object)).toString('utf8');
}
