import type { Orm } from '../db/database.js';
import type { ReviewReason } from './states.js';
import { transitionProposal, type Proposal } from './transition.js';

export interface Verdict {
  readonly verdict: 'accept' | 'reject';
  readonly reason: ReviewReason;
  readonly note?: string | undefined;
  readonly reviewer: string;
}

/** Records a reviewer's verdict; the state machine decides whether the proposal can take it. */
export function reviewProposal(orm: Orm, proposalId: string, verdict: Verdict, now: Date): Promise<Proposal> {
  return transitionProposal(orm, proposalId, {
    to: verdict.verdict === 'accept' ? 'accepted' : 'rejected',
    actor: verdict.reviewer,
    reason: verdict.reason,
    note: verdict.note,
    set: {
      reviewReason: verdict.reason,
      reviewNote: verdict.note ?? null,
      reviewedBy: verdict.reviewer,
      reviewedAt: now,
    },
  });
}
