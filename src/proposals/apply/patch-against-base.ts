import path from 'node:path';
import { git, GitError } from '../../git/git.js';
import { filesNamedInApplyErrors, listPatchPaths } from './patch-paths.js';

/** Entries whose new mode is a symbolic link (120000) or a submodule (160000). */
const linkModes = new Set(['120000', '160000']);

export type BasePatchResult =
  | { ok: true; patch: string; paths: string[] }
  | { ok: false; reason: 'does_not_apply' | 'no_changes' | 'unsafe_patch'; files: string[]; detail: string };

/**
 * Applies `patch` exactly (no fuzz, no 3-way) to `baseCommit` in a private index, without touching any
 * work tree, and returns the same change as a full-index binary git diff. A patch written by a tool that
 * leaves out the `index <blob>..<blob>` lines (the `diff` package, GNU diff) gains them here, which is
 * what lets `git apply --3way` find the base blobs when the target branch has moved on.
 */
export async function patchAgainstBase(
  worktree: { tree: string; scratch: string },
  baseCommit: string,
  patch: string,
): Promise<BasePatchResult> {
  const cwd = worktree.tree;
  const environment = { GIT_INDEX_FILE: path.join(worktree.scratch, 'base.index') };
  await git(['read-tree', baseCommit], { cwd, environment });
  try {
    await git(['apply', '--cached', '--whitespace=nowarn'], { cwd, environment, input: patch });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const named = filesNamedInApplyErrors(error.stderr);
    return {
      ok: false,
      reason: 'does_not_apply',
      files: named.length > 0 ? named : await listPatchPaths(cwd, patch),
      detail: error.stderr.trim().split('\n')[0] ?? '',
    };
  }
  const tree = (await git(['write-tree'], { cwd, environment })).stdout.trim();
  const raw = (await git(['diff-tree', '-r', '-z', '--no-renames', baseCommit, tree], { cwd })).stdout;
  const fields = raw.split('\0');
  const paths: string[] = [];
  const links: string[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [, newMode] = fields[index]!.slice(1).split(' ');
    const file = fields[index + 1]!;
    paths.push(file);
    if (linkModes.has(newMode ?? '')) links.push(file);
  }
  if (paths.length === 0) {
    return { ok: false, reason: 'no_changes', files: [], detail: 'the patch leaves every file as it is' };
  }
  if (links.length > 0) {
    return {
      ok: false,
      reason: 'unsafe_patch',
      files: links,
      detail: 'the patch creates symbolic links or submodules, which lvlup does not apply',
    };
  }
  const { stdout } = await git(
    ['diff-tree', '-r', '-p', '--binary', '--full-index', '--no-ext-diff', '--no-textconv', baseCommit, tree],
    { cwd },
  );
  return { ok: true, patch: stdout, paths };
}
