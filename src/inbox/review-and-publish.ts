import { publishProposalEvent } from '../proposals/proposal-events.js';
import { withHistory, type ProposalDetail, type ProposalServices } from './proposal-services.js';
import { reviewProposal, type Verdict } from './review.js';
import type { Proposal } from '../proposals/transition-store.js';

export type ReviewServices = Pick<ProposalServices, 'database' | 'events' | 'tasks' | 'log' | 'now' | 'compute'>;

/**
 * Records a reviewer's verdict (src/inbox/review.ts), then announces it and the cancel of any sandbox
 * test the rejection stopped.
 */
export async function reviewAndAnnounce(
  services: ReviewServices,
  proposalId: string,
  verdict: Verdict,
): Promise<Proposal> {
  const { proposal, cancelledTests } = await reviewProposal(
    services.database.orm,
    proposalId,
    verdict,
    services.now(),
    services,
  );
  await publishProposalEvent(
    services.events,
    verdict.verdict === 'accept' ? 'accepted' : 'rejected',
    proposal,
    services.log,
  );
  for (const task of cancelledTests) await services.tasks.announceCancel(task);
  return proposal;
}

/** `reviewAndAnnounce`, answering the proposal with its history. */
export async function reviewAndPublish(
  services: ReviewServices,
  proposalId: string,
  verdict: Verdict,
): Promise<ProposalDetail> {
  return withHistory(services, await reviewAndAnnounce(services, proposalId, verdict));
}
