import type { RepositoryPolicy } from '../db/schema.js';
import { securityGateFailure } from '../analysis/security-gate.js';
import type { Proposal } from '../proposals/transition-store.js';

export interface FailedGate {
  readonly gate:
    | 'policy'
    | 'state'
    | 'tests'
    | 'sandbox_unavailable'
    | 'confidence'
    | 'security'
    | 'level'
    | 'custody'
    | 'acceptance';
  readonly detail: string;
}

/** What the autonomy gates know about the agent that made the proposal (loaded by the caller). */
export interface ProposingAgent {
  readonly type: string;
  /** its level from XP (agent progress; 1 before any) */
  readonly level: number;
  /** its custody record: at least 3 of the last 5 tests passed and at most 2 consecutive failures */
  readonly custody: { readonly eligible: boolean; readonly reason: string };
}

/**
 * Every condition auto-apply needs, each reported on its own so the caller can say exactly what is
 * missing. `findings` are the proposal's stored Guardian findings (scanned afresh by the caller when the
 * proposal predates scanning). The autonomy gates: the proposing agent's level reaches the policy's
 * minimum (`level`), it is custody-eligible (`custody`), and the proposal's learned acceptance score
 * reaches the policy's threshold (`acceptance`; null in the policy turns this one off). An untested
 * proposal of a repository with checks fails `sandbox_unavailable` instead of `tests` when the sandbox
 * cannot run (`sandboxUnavailable`: why, and the fix): it waits for the sandbox, not for its tests.
 */
export function failedAutoApplyGates(
  proposal: Pick<Proposal, 'status' | 'confidence' | 'testResults' | 'acceptanceScore'> & {
    findings: readonly Record<string, unknown>[];
  },
  repository: { checkCommands: readonly string[]; policy: RepositoryPolicy },
  agent: ProposingAgent,
  sandboxUnavailable?: string,
): FailedGate[] {
  const failed: FailedGate[] = [];
  const { policy } = repository;
  if (!policy.auto_apply) failed.push({ gate: 'policy', detail: "the repository's policy does not allow auto-apply" });
  const hasChecks = repository.checkCommands.length > 0;
  const readyStates = hasChecks ? ['test-passed'] : ['pending', 'test-passed'];
  if (!readyStates.includes(proposal.status)) {
    const untested = ['pending', 'testing'].includes(proposal.status);
    failed.push(
      hasChecks && untested && sandboxUnavailable
        ? {
            gate: 'sandbox_unavailable',
            detail: `the proposal waits for its checks, which do not run because ${sandboxUnavailable}`,
          }
        : hasChecks && (untested || proposal.status === 'test-failed')
          ? {
              gate: 'tests',
              detail: `the repository has checks and the proposal is ${proposal.status}, not test-passed`,
            }
          : { gate: 'state', detail: `the proposal is ${proposal.status}` },
    );
  } else if (hasChecks && proposal.testResults?.verdict === 'still-failing') {
    // Not blamed for failures the base already had, but not proven either: a person decides.
    failed.push({ gate: 'tests', detail: 'some checks fail, on the base commit as well as with the change' });
  }
  if (proposal.confidence === null || proposal.confidence < policy.auto_apply_min_confidence) {
    failed.push({
      gate: 'confidence',
      detail: `confidence ${proposal.confidence ?? 'unknown'} is below the policy's ${policy.auto_apply_min_confidence}`,
    });
  }
  const security = securityGateFailure(proposal.findings);
  if (security) failed.push({ gate: 'security', detail: security });
  const minLevel = policy.auto_apply_min_level;
  if (agent.level < minLevel) {
    failed.push({ gate: 'level', detail: `${agent.type} is level ${agent.level}, below the policy's ${minLevel}` });
  }
  if (!agent.custody.eligible) {
    failed.push({ gate: 'custody', detail: `${agent.type} is not custody-eligible: ${agent.custody.reason}` });
  }
  const minAcceptance = policy.auto_apply_min_acceptance;
  if (minAcceptance !== null && (proposal.acceptanceScore === null || proposal.acceptanceScore < minAcceptance)) {
    failed.push({
      gate: 'acceptance',
      detail:
        proposal.acceptanceScore === null
          ? `the proposal has no acceptance score yet (the policy needs ${minAcceptance})`
          : `acceptance score ${proposal.acceptanceScore} is below the policy's ${minAcceptance}`,
    });
  }
  return failed;
}
