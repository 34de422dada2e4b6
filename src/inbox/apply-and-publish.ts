import { agentLevel, custodyEligibility } from '../custody/custody-store.js';
import { effectivePolicy } from '../repositories/policy.js';
import { findRepository } from '../repositories/repository-store.js';
import { repositoryChecks } from '../sandbox/checks.js';
import { sandboxStatus, unavailableDetail } from '../sandbox/sandbox-status.js';
import { applyProposal } from './apply-proposal.js';
import { failedAutoApplyGates } from './auto-apply-gates.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { openPullRequestForProposal } from './pull-request-step.js';
import { withHistory, type ProposalDetail, type ProposalServices } from './proposal-services.js';
import { findProposal, recordPullRequest } from '../proposals/proposal-store.js';
import { reviewProposal } from './review.js';
import { ProposalNotFoundError } from '../proposals/transition-store.js';

/**
 * Applies an accepted proposal and announces the outcome. A change that no longer applies is announced
 * as `apply_failed` and refused (409 `apply_conflict`, listing the files). With the repository's policy
 * asking for pull requests on per-proposal branches, the branch is pushed and a pull request opened; its
 * outcome (a URL or an error) is stored with the proposal, which stays applied either way.
 */
export async function applyAndPublish(
  services: ProposalServices,
  proposalId: string,
  actor: string,
): Promise<ProposalDetail> {
  const { database } = services;
  const outcome = await applyProposal(database, {
    proposalId,
    actor,
    dataDirectory: services.config.dataDirectory,
  });
  if (!outcome.applied) {
    await publishProposalEvent(services.events, 'apply_failed', outcome.proposal, services.log);
    throw new ProposalRefusedError('apply_conflict', outcome.message ?? 'The change no longer applies.', {
      proposal_status: outcome.proposal.status,
      conflicts: outcome.conflicts,
    });
  }
  let proposal = outcome.proposal;
  await publishProposalEvent(services.events, 'applied', proposal, services.log);
  const repository = await findRepository(database.orm, proposal.repositoryId!);
  const policy = effectivePolicy(repository?.policy);
  // Pull requests are for per-proposal branches; target mode has already committed to the target branch.
  if (repository && policy.pull_requests && policy.branch_mode === 'per_proposal') {
    await recordPullRequest(
      database.orm,
      proposal.id,
      await openPullRequestForProposal({ github: services.config.github }, repository, proposal),
    );
    proposal = (await findProposal(database.orm, proposal.id))!;
  }
  return withHistory(services, proposal);
}

/**
 * Accepts and applies a proposal with no reviewer, when every gate holds (src/inbox/auto-apply-gates.ts);
 * otherwise refuses with 409 `auto_apply_blocked` listing each failed gate.
 */
export async function autoApplyProposal(services: ProposalServices, proposalId: string): Promise<ProposalDetail> {
  const orm = services.database.orm;
  const proposal = await findProposal(orm, proposalId);
  if (!proposal) throw new ProposalNotFoundError(proposalId);
  if (!proposal.repositoryId) {
    throw new ProposalRefusedError(
      'nothing_to_apply',
      'This proposal belongs to no repository: there is nothing to apply it to.',
    );
  }
  const repository = await findRepository(orm, proposal.repositoryId);
  // proposals stored before Guardian's gate existed are scanned now
  const findings = proposal.findings ?? (await services.compute.securityGate(proposal.changes));
  const checks =
    repository && proposal.baseCommit ? await repositoryChecks(repository, proposal.baseCommit) : undefined;
  const [level, custody, sandbox] = await Promise.all([
    agentLevel(orm, proposal.aiType),
    custodyEligibility(orm, proposal.aiType),
    sandboxStatus(services.config),
  ]);
  const failed = failedAutoApplyGates(
    { ...proposal, findings },
    { checkCommands: checks?.commands ?? [], policy: effectivePolicy(repository?.policy) },
    { type: proposal.aiType, level, custody },
    sandbox.status === 'unavailable' ? unavailableDetail(sandbox) : undefined,
  );
  if (failed.length > 0) {
    throw new ProposalRefusedError(
      'auto_apply_blocked',
      `Auto-apply blocked: ${failed.map((gate) => gate.detail).join('; ')}.`,
      { failed_gates: failed },
    );
  }
  const { proposal: accepted } = await reviewProposal(
    orm,
    proposal.id,
    { verdict: 'accept', reason: 'correct', note: 'auto-apply: every gate held', reviewer: 'auto-apply' },
    services.now(),
    services,
  );
  await publishProposalEvent(services.events, 'accepted', accepted, services.log);
  return applyAndPublish(services, proposal.id, 'auto-apply');
}
