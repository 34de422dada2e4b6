import type { EventBus } from '../events/bus.js';
import type { Proposal } from './transition-store.js';

export type ProposalEventType =
  | 'created'
  | 'testing'
  | 'test_passed'
  | 'test_failed'
  | 'accepted'
  | 'rejected'
  | 'applied'
  | 'apply_failed'
  | 'expired'
  | 'superseded';

/**
 * Announces a committed proposal change on the `proposals` topic. The change is already stored, so a
 * failure to record the event is logged rather than thrown: answering 500 for a change that happened would
 * invite a retry that then fails with 409.
 */
export async function publishProposalEvent(
  events: EventBus,
  type: ProposalEventType,
  proposal: Proposal,
  log: { error(details: object, message: string): void },
): Promise<void> {
  try {
    await events.publish({
      type: `proposal.${type}`,
      topic: 'proposals',
      data: {
        id: proposal.id,
        status: proposal.status,
        ai_type: proposal.aiType,
        repository_id: proposal.repositoryId,
      },
    });
  } catch (error) {
    log.error(
      { err: error, proposal_id: proposal.id, event: `proposal.${type}` },
      'could not publish a proposal event',
    );
  }
}
