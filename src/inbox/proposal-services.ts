import type { Compute } from '../compute/compute.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import type { SandboxSettings } from '../sandbox/sandbox-service.js';
import type { TaskQueue } from '../tasks/task-queue.js';
import { findProposal, proposalHistory } from '../proposals/proposal-store.js';
import { ProposalNotFoundError, type Proposal } from '../proposals/transition-store.js';

/** What the proposal services need: storage, the event bus, the compute pool, settings and the clock. */
export interface ProposalServices {
  readonly database: Database;
  readonly events: EventBus;
  readonly compute: Pick<Compute, 'diff' | 'securityGate' | 'fitAcceptanceModel'>;
  readonly tasks: Pick<TaskQueue, 'announceCancel'>;
  readonly config: Pick<Config, 'github'> & SandboxSettings;
  /** where events that could not be published are reported */
  readonly log: { error(details: object, message: string): void };
  readonly now: () => Date;
}

export type ProposalHistory = Awaited<ReturnType<typeof proposalHistory>>;

/** A proposal with its transitions, as its detail view shows it. */
export interface ProposalDetail {
  readonly proposal: Proposal;
  readonly history: ProposalHistory;
}

export async function withHistory(services: Pick<ProposalServices, 'database'>, proposal: Proposal) {
  return { proposal, history: await proposalHistory(services.database.orm, proposal.id) };
}

/** The proposal with its history, or a `ProposalNotFoundError`. */
export async function proposalDetail(
  services: Pick<ProposalServices, 'database'>,
  proposalId: string,
): Promise<ProposalDetail> {
  const proposal = await findProposal(services.database.orm, proposalId);
  if (!proposal) throw new ProposalNotFoundError(proposalId);
  return withHistory(services, proposal);
}
