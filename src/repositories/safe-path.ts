import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

export class UnsafePathError extends Error {
  readonly code = 'unsafe_path';
  constructor(
    readonly requested: string,
    readonly reason: string,
  ) {
    super(`Refused path ${JSON.stringify(requested)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Checks a repository-relative path by its text alone and returns it normalised (forward slashes, no
 * `.` segments). Refuses absolute paths (POSIX, Windows drive or UNC), NUL bytes, `..` segments and
 * anything inside `.git` (compared case-insensitively: on case-insensitive filesystems `.GIT/config`
 * is the same file).
 */
export function normaliseRelativePath(requested: string, options: { allowRoot?: boolean } = {}): string {
  if (requested.includes('\0')) throw new UnsafePathError(requested, 'contains a NUL byte');
  const slashed = requested.replaceAll('\\', '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) throw new UnsafePathError(requested, 'is absolute');
  const segments = slashed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new UnsafePathError(requested, 'contains ".."');
  if (segments.some((segment) => segment.toLowerCase() === '.git')) {
    throw new UnsafePathError(requested, 'points into .git');
  }
  if (segments.length === 0 && !options.allowRoot) throw new UnsafePathError(requested, 'is empty');
  return segments.join('/');
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Resolves a repository-relative path to an absolute path inside `workTree`, following symbolic links
 * component by component: a link anywhere along the way that leads outside the work tree (or into its
 * .git) is refused. Components that do not exist yet are fine (a proposal may add a file); everything
 * that exists is checked through its real path. This is the only way lvlup turns a user-supplied path
 * into a filesystem path.
 */
export async function resolveInWorkTree(
  workTree: string,
  requested: string,
  options: { allowRoot?: boolean } = {},
): Promise<{ relative: string; absolute: string }> {
  const relative = normaliseRelativePath(requested, options);
  const root = await realpath(workTree);
  let current = root;
  const segments = relative === '' ? [] : relative.split('/');
  for (const [index, segment] of segments.entries()) {
    const next = path.join(current, segment);
    let stats;
    try {
      stats = await lstat(next);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { relative, absolute: path.join(next, ...segments.slice(index + 1)) };
      }
      throw error;
    }
    if (stats.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        throw new UnsafePathError(requested, `${segments.slice(0, index + 1).join('/')} is a dangling symbolic link`);
      }
      if (!isInside(root, target)) {
        throw new UnsafePathError(
          requested,
          `${segments.slice(0, index + 1).join('/')} is a symbolic link leaving the work tree`,
        );
      }
      if (path.relative(root, target).split(path.sep)[0]?.toLowerCase() === '.git') {
        throw new UnsafePathError(requested, `${segments.slice(0, index + 1).join('/')} is a symbolic link into .git`);
      }
      current = target;
    } else {
      current = next;
    }
  }
  return { relative, absolute: current };
}
