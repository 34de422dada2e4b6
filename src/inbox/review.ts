import type { Compute } from '../compute/compute.js';
import type { Orm } from '../db/database.js';
import { refreshScoresAfterVerdict, transitionWithLearning } from '../learning/learning-event-store.js';
import { scheduleRefit } from '../learning/refit.js';
import { cancelProposalTests } from '../sandbox/cancel-proposal-tests.js';
import type { TaskRow } from '../tasks/task-store.js';
import type { ReviewReason } from '../proposals/states.js';
import type { Proposal } from '../proposals/transition-store.js';

export interface Verdict {
  readonly verdict: 'accept' | 'reject';
  /** undefined: the reviewer gave none (stored as null, "unspecified" to the learning signal) */
  readonly reason?: ReviewReason | undefined;
  readonly note?: string | undefined;
  readonly reviewer: string;
}

/** What a review needs besides the database: where the refit after it runs, and where its failure is told. */
export interface RefitAfterReview {
  readonly compute: Pick<Compute, 'fitAcceptanceModel'>;
  readonly log: { error(details: object, message: string): void };
}

export interface ReviewOutcome {
  readonly proposal: Proposal;
  /** sandbox tasks of a rejected proposal whose cancel was requested: announce them (TaskQueue.announceCancel) */
  readonly cancelledTests: readonly TaskRow[];
}

/**
 * Records a reviewer's verdict; the state machine decides whether the proposal can take it. The verdict's
 * learning event commits with it; then the proposals awaiting review are rescored by the updated model
 * (one incremental step), and a refit of the model from every verdict is scheduled to run after the
 * response (src/learning/refit.ts), its fit on the compute pool's threads, which rescores them again
 * when it is stored; a failed refit is logged.
 * A rejection also cancels the proposal's sandbox test, waiting or running, in the same transaction: a
 * result arriving later finds the proposal rejected and changes nothing (src/sandbox/test-proposal.ts).
 */
export async function reviewProposal(
  orm: Orm,
  proposalId: string,
  verdict: Verdict,
  now: Date,
  refit: RefitAfterReview,
): Promise<ReviewOutcome> {
  const outcome = await orm.transaction(async (transaction) => {
    const proposal = await transitionWithLearning(
      transaction,
      proposalId,
      {
        to: verdict.verdict === 'accept' ? 'accepted' : 'rejected',
        actor: verdict.reviewer,
        reason: verdict.reason,
        note: verdict.note,
        set: {
          reviewReason: verdict.reason ?? null,
          reviewNote: verdict.note ?? null,
          reviewedBy: verdict.reviewer,
          reviewedAt: now,
        },
        at: now,
      },
      { kind: 'verdict', at: now },
    );
    const cancelledTests = verdict.verdict === 'reject' ? await cancelProposalTests(transaction, proposalId) : [];
    return { proposal, cancelledTests };
  });
  await refreshScoresAfterVerdict(orm);
  void scheduleRefit(orm, {
    // background: a refit waits for a thread rather than being refused when requests fill the queue
    fit: (examples) => refit.compute.fitAcceptanceModel(examples, { background: true }),
    onError: (error) => refit.log.error({ err: error }, 'the refit of the acceptance model failed'),
  });
  return outcome;
}
