import type { Orm } from '../db/database.js';
import { refreshScoresAfterVerdict, transitionWithLearning } from '../learning/learning-event-store.js';
import type { ReviewReason } from './states.js';
import type { Proposal } from './transition.js';

export interface Verdict {
  readonly verdict: 'accept' | 'reject';
  /** undefined: the reviewer gave none (stored as null, "unspecified" to the learning signal) */
  readonly reason?: ReviewReason | undefined;
  readonly note?: string | undefined;
  readonly reviewer: string;
}

/**
 * Records a reviewer's verdict; the state machine decides whether the proposal can take it. The verdict's
 * learning event commits with it; then the proposals awaiting review are rescored by the updated model.
 */
export async function reviewProposal(orm: Orm, proposalId: string, verdict: Verdict, now: Date): Promise<Proposal> {
  const reviewed = await transitionWithLearning(
    orm,
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
    },
    { kind: 'verdict', at: now },
  );
  await refreshScoresAfterVerdict(orm);
  return reviewed;
}
