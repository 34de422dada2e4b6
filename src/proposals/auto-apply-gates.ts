import type { RepositoryPolicy } from '../db/schema.js';
import { securityGateFailure } from './security-gate.js';
import type { Proposal } from './transition.js';

export interface FailedGate {
  readonly gate: 'policy' | 'state' | 'tests' | 'confidence' | 'security';
  readonly detail: string;
}

/**
 * Every condition auto-apply needs, each reported on its own so the caller can say exactly what is
 * missing. Later gates (agent level, custody eligibility, learned score) join here.
 * `findings` are the proposal's stored Guardian findings (scanned afresh by the caller when the proposal
 * predates scanning).
 */
export function failedAutoApplyGates(
  proposal: Pick<Proposal, 'status' | 'confidence'> & { findings: readonly Record<string, unknown>[] },
  repository: { checkCommands: readonly string[]; policy: RepositoryPolicy },
): FailedGate[] {
  const failed: FailedGate[] = [];
  const { policy } = repository;
  if (!policy.auto_apply) failed.push({ gate: 'policy', detail: "the repository's policy does not allow auto-apply" });
  const hasChecks = repository.checkCommands.length > 0;
  const readyStates = hasChecks ? ['test-passed'] : ['pending', 'test-passed'];
  if (!readyStates.includes(proposal.status)) {
    failed.push(
      hasChecks && ['pending', 'testing', 'test-failed'].includes(proposal.status)
        ? { gate: 'tests', detail: `the repository has checks and the proposal is ${proposal.status}, not test-passed` }
        : { gate: 'state', detail: `the proposal is ${proposal.status}` },
    );
  }
  if (proposal.confidence === null || proposal.confidence < policy.auto_apply_min_confidence) {
    failed.push({
      gate: 'confidence',
      detail: `confidence ${proposal.confidence ?? 'unknown'} is below the policy's ${policy.auto_apply_min_confidence}`,
    });
  }
  const security = securityGateFailure(proposal.findings);
  if (security) failed.push({ gate: 'security', detail: security });
  return failed;
}
