export const PROPOSAL_STATUSES = [
  'pending',
  'testing',
  'test-passed',
  'test-failed',
  'accepted',
  'rejected',
  'applied',
  'apply-failed',
  'expired',
  'superseded',
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** States in which a proposal still awaits something; only these expire or are superseded. */
export const OPEN_STATUSES: readonly ProposalStatus[] = [
  'pending',
  'testing',
  'test-passed',
  'test-failed',
  'accepted',
];

/**
 * The proposal lifecycle (SPEC §4), as the states each target may be reached from. A test-failed
 * proposal may still be rejected (a reviewer closing it), but never accepted. A proposal being tested
 * may be rejected (its test is cancelled: src/inbox/review.ts), but accepted only once it passed.
 */
export const ALLOWED_FROM: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  pending: [],
  testing: ['pending'],
  'test-passed': ['testing'],
  'test-failed': ['testing'],
  accepted: ['pending', 'test-passed'],
  rejected: ['pending', 'testing', 'test-passed', 'test-failed'],
  applied: ['accepted'],
  'apply-failed': ['accepted'],
  expired: OPEN_STATUSES,
  superseded: OPEN_STATUSES,
};

export function canTransition(from: ProposalStatus, to: ProposalStatus): boolean {
  return ALLOWED_FROM[to].includes(from);
}

export const REVIEW_REASONS = [
  'correct',
  'valuable',
  'incorrect',
  'not_needed',
  'style',
  'too_risky',
  'duplicate',
  'tests_failed',
  'other',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const AGENT_TYPES = ['imperium', 'guardian', 'sandbox', 'conquest'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];
