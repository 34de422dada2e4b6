import type { Database } from '../db/database.js';
import { git } from '../git/git.js';
import { applyPatchAsCommit, type ApplyFailureReason } from '../proposals/apply/apply-patch.js';
import { readBranchTip } from '../proposals/apply/branch-refs.js';
import { applyCheckoutRoot } from '../proposals/apply/scratch-worktree.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';
import { IllegalTransitionError, ProposalNotFoundError, type Proposal } from '../proposals/transition-store.js';
import { transitionWithLearning } from '../learning/learning-event-store.js';
import { effectivePolicy } from '../repositories/policy.js';
import { findRepository } from '../repositories/repository-store.js';
import { findProposal } from '../proposals/proposal-store.js';
import type { ProposalStatus } from '../proposals/states.js';

export interface ApplyOutcome {
  readonly proposal: Proposal;
  readonly applied: boolean;
  readonly conflicts: readonly string[];
  readonly message: string | undefined;
}

/** Failures that are the change's fault: the proposal ends in apply-failed. Others leave it accepted. */
const TERMINAL_FAILURES = ['conflict', 'does_not_apply', 'no_changes', 'unsafe_patch'] as const;
type TerminalFailure = (typeof TERMINAL_FAILURES)[number];
const isTerminal = (reason: ApplyFailureReason): reason is TerminalFailure =>
  (TERMINAL_FAILURES as readonly ApplyFailureReason[]).includes(reason);

const applying = new Set<string>();

export function commitMessage(proposal: Proposal): string {
  const title = proposal.description?.split('\n')[0]?.slice(0, 72) || `${proposal.aiType}: change ${proposal.filePath}`;
  const body = [proposal.rationale, proposal.description?.split('\n').slice(1).join('\n').trim()].filter(Boolean);
  const trailers = [`Lvlup-Proposal: ${proposal.id}`, `Lvlup-Agent: ${proposal.aiType}`];
  if (proposal.ruleId) trailers.push(`Lvlup-Rule: ${proposal.ruleId}`);
  return [title, ...body, trailers.join('\n')].join('\n\n');
}

async function commitAlreadyMade(
  repositoryPath: string,
  branch: string,
  proposalId: string,
): Promise<string | undefined> {
  const tip = await readBranchTip(repositoryPath, branch);
  if (!tip) return undefined;
  const { stdout } = await git(['log', '-1', '--format=%H', `--grep=^Lvlup-Proposal: ${proposalId}$`, tip], {
    cwd: repositoryPath,
  });
  return stdout.trim() || undefined;
}

/**
 * Applies an accepted repository proposal as a git commit, exactly once.
 *
 * Two guards keep two applies of one proposal from both running git: a set in this process (PGlite has a
 * single session, where advisory locks are re-entrant) and a PostgreSQL advisory lock across processes.
 * If a process dies after git committed but before the database recorded it, the next attempt finds the
 * commit by its `Lvlup-Proposal` trailer on the branch and records it instead of committing again.
 */
export async function applyProposal(
  database: Database,
  input: { proposalId: string; actor: string; dataDirectory: string },
): Promise<ApplyOutcome> {
  const proposal = await findProposal(database.orm, input.proposalId);
  if (!proposal) throw new ProposalNotFoundError(input.proposalId);
  if (!proposal.repositoryId || !proposal.baseCommit) {
    throw new ProposalRefusedError(
      'nothing_to_apply',
      'This proposal belongs to no repository: there is nothing to apply it to.',
    );
  }
  if (proposal.status !== 'accepted') {
    throw new IllegalTransitionError(proposal.id, proposal.status as ProposalStatus, 'applied');
  }
  if (applying.has(proposal.id)) {
    throw new ProposalRefusedError('apply_in_progress', 'This proposal is being applied right now.');
  }
  applying.add(proposal.id);
  try {
    return await database.withSession(async (query) => {
      const [lock] = await query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [
        `lvlup:apply:${proposal.id}`,
      ]);
      if (!lock?.locked)
        throw new ProposalRefusedError('apply_in_progress', 'This proposal is being applied right now.');
      try {
        return await applyLocked(database, proposal, input);
      } finally {
        await query('select pg_advisory_unlock(hashtext($1))', [`lvlup:apply:${proposal.id}`]);
      }
    });
  } finally {
    applying.delete(proposal.id);
  }
}

async function applyLocked(
  database: Database,
  proposal: Proposal,
  input: { actor: string; dataDirectory: string },
): Promise<ApplyOutcome> {
  const orm = database.orm;
  const repository = await findRepository(orm, proposal.repositoryId!);
  if (!repository) throw new ProposalRefusedError('nothing_to_apply', 'The proposal’s repository no longer exists.');
  const policy = effectivePolicy(repository.policy);
  const mode = policy.branch_mode;
  const targetBranch =
    mode === 'target' ? (policy.target_branch ?? repository.defaultBranch) : repository.defaultBranch;
  const branch = mode === 'target' ? targetBranch : `lvlup/${proposal.id.slice(0, 8)}`;

  const recorded = async (commit: string) => {
    const applied = await transitionWithLearning(
      orm,
      proposal.id,
      {
        to: 'applied',
        actor: input.actor,
        set: { appliedCommit: commit, appliedBranch: branch, applyError: null },
      },
      { kind: 'apply' },
    );
    return { proposal: applied, applied: true, conflicts: [], message: undefined };
  };

  const earlier = await commitAlreadyMade(repository.path, branch, proposal.id);
  if (earlier) return recorded(earlier);

  const result = await applyPatchAsCommit({
    repositoryPath: repository.path,
    worktreeRoot: applyCheckoutRoot(input.dataDirectory),
    baseCommit: proposal.baseCommit!,
    targetBranch,
    branch,
    mode,
    patch: proposal.diff,
    message: commitMessage(proposal),
  });
  if (result.ok) return recorded(result.commit);
  if (!isTerminal(result.reason)) {
    throw new ProposalRefusedError(result.reason, result.message);
  }
  const failed = await transitionWithLearning(
    orm,
    proposal.id,
    {
      to: 'apply-failed',
      actor: input.actor,
      reason: result.reason,
      note: result.message,
      set: { applyError: { message: result.message, conflicts: result.conflicts } },
    },
    { kind: 'apply' },
  );
  return { proposal: failed, applied: false, conflicts: result.conflicts, message: result.message };
}
