import { publishProposalEvent } from './proposal-events.js';
import { withHistory, type ProposalDetail, type ProposalServices } from './proposal-services.js';
import { reviewProposal, type Verdict } from './review.js';

/**
 * Records a reviewer's verdict (src/proposals/review.ts), then announces it and the cancel of any sandbox
 * test the rejection stopped.
 */
export async function reviewAndPublish(
  services: Pick<ProposalServices, 'database' | 'events' | 'tasks' | 'log' | 'now'>,
  proposalId: string,
  verdict: Verdict,
): Promise<ProposalDetail> {
  const { proposal, cancelledTests } = await reviewProposal(services.database.orm, proposalId, verdict, services.now());
  await publishProposalEvent(
    services.events,
    verdict.verdict === 'accept' ? 'accepted' : 'rejected',
    proposal,
    services.log,
  );
  for (const task of cancelledTests) await services.tasks.announceCancel(task);
  return withHistory(services, proposal);
}
