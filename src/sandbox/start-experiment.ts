import type { Orm } from '../db/database.js';
import { findProposal } from '../proposals/proposal-store.js';
import { ProposalNotFoundError } from '../proposals/transition-store.js';
import { requireRepository } from '../repositories/require-repository.js';
import type { TaskQueue } from '../tasks/task-queue.js';
import { createExperiment } from './create-experiment.js';
import type { SandboxSettings } from './sandbox-service.js';
import { sandboxStatus, unavailableDetail } from './sandbox-status.js';

/** The proposal to compare with is not a change to the experiment's repository (or has no base commit). */
export class ProposalNotInRepositoryError extends Error {
  readonly code = 'proposal_not_in_repository';
  constructor(
    readonly proposalId: string,
    readonly repositoryId: string,
  ) {
    super(`Proposal ${proposalId} is not a change to repository ${repositoryId}.`);
    this.name = 'ProposalNotInRepositoryError';
  }
}

/** No experiment can run here: the sandbox is unavailable (`reason`, and `fix` when one is known). */
export class ExperimentSandboxUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';
  constructor(
    readonly reason: string,
    readonly fix: string | undefined,
  ) {
    super(`No experiment can run: ${unavailableDetail({ reason, fix })}.`);
    this.name = 'ExperimentSandboxUnavailableError';
  }
}

export interface ExperimentRequest {
  readonly repositoryId: string;
  readonly proposalId?: string | undefined;
  readonly command: string;
  readonly runs: number;
  readonly createdBy: string;
}

/**
 * Starts a manual sandbox experiment: checks that the repository (and the proposal, when given, is one of
 * its changes) exists and that the sandbox can run, stores the experiment with its task
 * (src/sandbox/create-experiment.ts) and announces the task. Refusals: `RepositoryNotFoundError`,
 * `ProposalNotFoundError`, `ProposalNotInRepositoryError`, `ExperimentSandboxUnavailableError`, and the
 * task queue's own.
 */
export async function startExperiment(
  services: { orm: Orm; config: SandboxSettings; tasks: Pick<TaskQueue, 'announce'> },
  request: ExperimentRequest,
) {
  const repository = await requireRepository(services.orm, request.repositoryId);
  if (request.proposalId) {
    const proposal = await findProposal(services.orm, request.proposalId);
    if (!proposal) throw new ProposalNotFoundError(request.proposalId);
    if (proposal.repositoryId !== repository.id || !proposal.baseCommit) {
      throw new ProposalNotInRepositoryError(proposal.id, repository.id);
    }
  }
  const sandbox = await sandboxStatus(services.config);
  if (sandbox.status === 'unavailable') throw new ExperimentSandboxUnavailableError(sandbox.reason, sandbox.fix);
  const experiment = await createExperiment(services.orm, {
    repositoryId: repository.id,
    proposalId: request.proposalId ?? null,
    command: request.command,
    runs: request.runs,
    createdBy: request.createdBy,
    trigger: 'manual',
  });
  await services.tasks.announce({ task: experiment.task, created: experiment.created });
  return experiment;
}
