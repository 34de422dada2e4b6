/** Every code creating or applying a proposal can be refused with (docs/problems.md). */
export const PROPOSAL_REFUSAL_CODES = [
  'invalid_patch',
  'repository_required',
  'duplicate_file',
  'unsupported_patch',
  'rule_suppressed',
  'no_op',
  'stale',
  'duplicate',
  'proposal_too_large',
  'nothing_to_apply',
  'apply_in_progress',
  // an application that failed without failing the proposal (src/inbox/apply-proposal.ts checks these)
  'invalid_input',
  'branch_exists',
  'target_checked_out',
  'target_moved',
  // applying: the change no longer applies (`proposal_status`, `conflicts`); auto-apply: a gate failed (`failed_gates`)
  'apply_conflict',
  'auto_apply_blocked',
] as const;
export type ProposalRefusalCode = (typeof PROPOSAL_REFUSAL_CODES)[number];

/**
 * Creating or applying a proposal was refused for a reason the caller can act on; `extensions` are details
 * for the caller (the conflicting proposal's id, …). The server's problem table decides the HTTP status.
 */
export class ProposalRefusedError extends Error {
  static readonly codes = PROPOSAL_REFUSAL_CODES;

  constructor(
    readonly code: ProposalRefusalCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ProposalRefusedError';
  }
}
