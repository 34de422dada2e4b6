import { gitRepositoryReader } from '../repositories/git-reader.js';
import { createProposal, type CreateProposalInput } from './create-proposal.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import type { ProposalDetail, ProposalServices } from './proposal-services.js';

/**
 * Stores a new proposal (src/inbox/create-proposal.ts) and announces it, then each older proposal it
 * superseded.
 */
export async function submitProposal(
  services: Pick<ProposalServices, 'database' | 'events' | 'compute' | 'log' | 'now'>,
  input: CreateProposalInput,
): Promise<ProposalDetail> {
  const { proposal, superseded, history } = await createProposal(
    services.database.orm,
    gitRepositoryReader,
    input,
    services.now(),
    services.compute,
  );
  await publishProposalEvent(services.events, 'created', proposal, services.log);
  for (const older of superseded) await publishProposalEvent(services.events, 'superseded', older, services.log);
  return { proposal, history };
}
