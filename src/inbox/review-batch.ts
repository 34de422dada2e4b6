import { reviewAndAnnounce, type ReviewServices } from './review-and-publish.js';
import type { Verdict } from './review.js';
import type { ProposalStatus } from '../proposals/states.js';
import { IllegalTransitionError, ProposalNotFoundError } from '../proposals/transition-store.js';

export interface BatchReviewOutcome {
  readonly id: string;
  readonly outcome: 'accepted' | 'rejected' | 'conflict' | 'not_found';
  /** the state after the review; null when there is no such proposal */
  readonly status: ProposalStatus | null;
  readonly detail: string | null;
}

/**
 * Gives one verdict to many proposals, each on its own and in order: one that cannot take it (not found,
 * or in a state that does not allow it) is reported and does not stop the others. Other errors are thrown.
 */
export async function reviewBatch(
  services: ReviewServices,
  ids: readonly string[],
  verdict: Verdict,
): Promise<BatchReviewOutcome[]> {
  const results: BatchReviewOutcome[] = [];
  for (const id of ids) {
    try {
      const proposal = await reviewAndAnnounce(services, id, verdict);
      results.push({
        id,
        outcome: verdict.verdict === 'accept' ? 'accepted' : 'rejected',
        status: proposal.status as ProposalStatus,
        detail: null,
      });
    } catch (error) {
      if (error instanceof IllegalTransitionError) {
        results.push({ id, outcome: 'conflict', status: error.current, detail: error.message });
      } else if (error instanceof ProposalNotFoundError) {
        results.push({ id, outcome: 'not_found', status: null, detail: error.message });
      } else {
        throw error;
      }
    }
  }
  return results;
}
