import type { EventBus } from '../events/bus.js';
import type { Proposal } from './transition.js';

export type ProposalEventType =
  'created' | 'accepted' | 'rejected' | 'applied' | 'apply_failed' | 'expired' | 'superseded';

/** Announces a committed proposal change on the `proposals` topic. */
export function publishProposalEvent(events: EventBus, type: ProposalEventType, proposal: Proposal): void {
  events.publish({
    type: `proposal.${type}`,
    topic: 'proposals',
    data: { id: proposal.id, status: proposal.status, ai_type: proposal.aiType, repository_id: proposal.repositoryId },
  });
}
