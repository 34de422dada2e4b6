import { git, GitError } from '../../git/git.js';
import { createBranch, moveBranch, readBranchTip, resolveCommit, workTreeHoldingBranch } from './branch-refs.js';
import { patchAgainstBase } from './patch-against-base.js';
import { filesNamedInApplyErrors, findUnsafePatchPath } from './patch-paths.js';
import { withScratchWorktree } from './scratch-worktree.js';
import { gitAcceptsBranchName } from '../../git/branch-name.js';

export interface ApplyPatchInput {
  /** the registered repository (its main work tree, or a bare repository) */
  readonly repositoryPath: string;
  /** a directory outside the repository's work tree where throw-away work trees are made */
  readonly worktreeRoot: string;
  /** the commit the patch was written against */
  readonly baseCommit: string;
  /** the branch the change lands on (target mode) or starts from (per-proposal mode) */
  readonly targetBranch: string;
  /** the new branch for per-proposal mode, e.g. lvlup/1a2b3c4d; ignored in target mode */
  readonly branch: string;
  readonly mode: 'per_proposal' | 'target';
  /** a unified diff with a/ and b/ prefixes (git diff, or the `diff` package's createTwoFilesPatch) */
  readonly patch: string;
  readonly message: string;
}

export type ApplyFailureReason =
  | 'invalid_input'
  | 'unsafe_patch'
  | 'does_not_apply'
  | 'no_changes'
  | 'conflict'
  | 'branch_exists'
  | 'target_checked_out'
  | 'target_moved';

export type ApplyPatchResult =
  | { ok: true; commit: string; branch: string; reapplied: boolean }
  | { ok: false; conflicts: string[]; message: string; reason: ApplyFailureReason };

function failure(reason: ApplyFailureReason, message: string, conflicts: string[] = []): ApplyPatchResult {
  return { ok: false, conflicts, message, reason };
}

async function unmergedPaths(tree: string): Promise<string[]> {
  const { stdout } = await git(['ls-files', '--unmerged', '-z'], { cwd: tree });
  const paths = stdout
    .split('\0')
    .filter((entry) => entry.includes('\t'))
    .map((entry) => entry.slice(entry.indexOf('\t') + 1));
  return [...new Set(paths)];
}

async function indexEqualsHead(tree: string): Promise<boolean> {
  try {
    await git(['diff-index', '--cached', '--quiet', 'HEAD'], { cwd: tree });
    return true;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return false;
    throw error;
  }
}

/**
 * Turns a proposal's patch into a commit without touching the user's checked-out tree or index: the
 * patch is applied exactly to `baseCommit` (in a private index), then onto the current tip of
 * `targetBranch` in a throw-away work tree — directly when the tip is still `baseCommit`, by a 3-way
 * merge when it moved. The commit then becomes the new branch (per-proposal mode) or the new tip of the
 * target branch (target mode), both by a compare-and-swap on the ref. Any failure leaves refs and work
 * trees exactly as they were.
 */
export async function applyPatchAsCommit(input: ApplyPatchInput): Promise<ApplyPatchResult> {
  const { repositoryPath, targetBranch, mode } = input;
  const branch = mode === 'target' ? targetBranch : input.branch;
  if (input.message.trim() === '') return failure('invalid_input', 'The commit message is empty');
  for (const name of new Set([targetBranch, branch])) {
    if (!(await gitAcceptsBranchName(repositoryPath, name))) {
      return failure('invalid_input', `${JSON.stringify(name)} is not a valid branch name`);
    }
  }
  const base = await resolveCommit(repositoryPath, input.baseCommit);
  if (base === undefined) {
    return failure('invalid_input', `The base commit ${JSON.stringify(input.baseCommit)} is not in the repository`);
  }
  const tip = await readBranchTip(repositoryPath, targetBranch);
  if (tip === undefined) return failure('invalid_input', `The target branch ${targetBranch} does not exist`);
  const unsafe = await findUnsafePatchPath(repositoryPath, input.patch);
  if (unsafe !== undefined) return failure('unsafe_patch', `The patch was refused: ${unsafe}`);

  if (mode === 'target') {
    const holder = await workTreeHoldingBranch(repositoryPath, targetBranch);
    if (holder !== undefined) {
      return failure(
        'target_checked_out',
        `${targetBranch} is checked out in ${holder}; moving it would make that working tree appear modified. ` +
          'Use a branch per proposal, or check out another branch there.',
      );
    }
  } else if ((await readBranchTip(repositoryPath, branch)) !== undefined) {
    return failure('branch_exists', `The branch ${branch} already exists; it is left as it is`);
  }

  return withScratchWorktree(repositoryPath, input.worktreeRoot, tip, async (worktree) => {
    const onBase = await patchAgainstBase(worktree, base, input.patch);
    if (!onBase.ok) {
      const messages = {
        does_not_apply: `The patch does not apply to its base commit ${base.slice(0, 12)}: ${onBase.detail}`,
        no_changes: `The patch changes nothing: ${onBase.detail}`,
        unsafe_patch: `The patch was refused: ${onBase.detail}`,
      };
      return failure(onBase.reason, messages[onBase.reason], onBase.files);
    }

    const reapplied = tip !== base;
    const applyArguments = reapplied ? ['apply', '--3way', '--index'] : ['apply', '--index'];
    try {
      await git([...applyArguments, '--whitespace=nowarn'], { cwd: worktree.tree, input: onBase.patch });
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      const unmerged = await unmergedPaths(worktree.tree);
      const named = filesNamedInApplyErrors(error.stderr);
      const conflicts = [...new Set([...unmerged, ...named])];
      return failure(
        'conflict',
        `The change conflicts with commits made on ${targetBranch} since ${base.slice(0, 12)}`,
        conflicts.length > 0 ? conflicts : onBase.paths,
      );
    }
    if (await indexEqualsHead(worktree.tree)) {
      return failure('no_changes', `${targetBranch} already contains this change`);
    }

    await git(['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '--file=-'], {
      cwd: worktree.tree,
      input: input.message,
    });
    const commit = (await git(['rev-parse', 'HEAD'], { cwd: worktree.tree })).stdout.trim();

    if (mode === 'target') {
      if (!(await moveBranch(repositoryPath, targetBranch, commit, tip))) {
        return failure('target_moved', `${targetBranch} moved while the change was being applied; nothing was changed`);
      }
    } else if (!(await createBranch(repositoryPath, branch, commit))) {
      return failure(
        'branch_exists',
        `The branch ${branch} was created by someone else meanwhile; it is left as it is`,
      );
    }
    return { ok: true, commit, branch, reapplied };
  });
}
