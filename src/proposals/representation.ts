import { z } from 'zod';
import type { proposalTransitions } from '../db/schema.js';
import type { ProposalSummary } from './proposal-store.js';
import { securitySummary } from '../analysis/security-gate.js';
import { AGENT_TYPES, PROPOSAL_STATUSES } from './states.js';
import type { Proposal } from './transition-store.js';

export const proposalSummarySchema = z
  .object({
    id: z.uuid(),
    ai_type: z.enum(AGENT_TYPES),
    repository_id: z.uuid().nullable(),
    status: z.enum(PROPOSAL_STATUSES),
    description: z.string().nullable(),
    rule_id: z.string().nullable(),
    category: z.string().nullable(),
    confidence: z.number().nullable(),
    acceptance_score: z
      .number()
      .nullable()
      .describe('learned probability that a reviewer accepts it (0–1); null until a model exists'),
    file_path: z.string(),
    hunks: z.number(),
    additions: z.number(),
    deletions: z.number(),
    base_commit: z.string().nullable(),
    applied_commit: z.string().nullable(),
    applied_branch: z.string().nullable(),
    pull_request_url: z.string().nullable(),
    expires_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'ProposalSummary' });

const transitionSchema = z.object({
  from: z.enum(PROPOSAL_STATUSES).nullable(),
  to: z.enum(PROPOSAL_STATUSES),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
  note: z.string().nullable(),
  at: z.string(),
});

export const proposalSchema = proposalSummarySchema
  .extend({
    rationale: z.string().nullable(),
    code_before: z.string().describe('the first file before the change (seed-compatible)'),
    code_after: z.string().describe('the first file after the change (seed-compatible)'),
    changes: z.array(
      z.object({
        file_path: z.string(),
        code_before: z.string(),
        code_after: z.string(),
        before_sha256: z.string(),
        after_sha256: z.string(),
      }),
    ),
    diff: z.string().describe('unified diff of every file'),
    content_hash: z.string(),
    test_results: z.record(z.string(), z.unknown()).nullable(),
    findings: z
      .array(z.record(z.string(), z.unknown()))
      .nullable()
      .describe(
        "Guardian's findings for the change: `status` introduced (in the new code, not in the old), resolved " +
          '(in the old code, gone from the new) or scan_error; null for proposals stored before scanning',
      ),
    security: z
      .object({
        scanned: z.boolean(),
        introduced: z.number().int(),
        resolved: z.number().int(),
        scan_errors: z.number().int(),
        blocking: z.boolean().describe('an introduced high or critical finding (or a scan error) blocks auto-apply'),
      })
      .describe('the findings in numbers'),
    review: z
      .object({
        reason: z.string().nullable(),
        note: z.string().nullable(),
        reviewer: z.string().nullable(),
        reviewed_at: z.string().nullable(),
      })
      .nullable(),
    apply_error: z.object({ message: z.string(), conflicts: z.array(z.string()) }).nullable(),
    pull_request_error: z.string().nullable(),
    superseded_by: z.uuid().nullable(),
    history: z.array(transitionSchema),
  })
  .meta({ id: 'Proposal' });

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function presentSummary(proposal: ProposalSummary): z.infer<typeof proposalSummarySchema> {
  return {
    id: proposal.id,
    ai_type: proposal.aiType as z.infer<typeof proposalSummarySchema>['ai_type'],
    repository_id: proposal.repositoryId,
    status: proposal.status as z.infer<typeof proposalSummarySchema>['status'],
    description: proposal.description,
    rule_id: proposal.ruleId,
    category: proposal.category,
    confidence: proposal.confidence,
    acceptance_score: proposal.acceptanceScore,
    file_path: proposal.filePath,
    hunks: proposal.hunks,
    additions: proposal.additions,
    deletions: proposal.deletions,
    base_commit: proposal.baseCommit,
    applied_commit: proposal.appliedCommit,
    applied_branch: proposal.appliedBranch,
    pull_request_url: proposal.pullRequestUrl,
    expires_at: iso(proposal.expiresAt),
    created_at: proposal.createdAt.toISOString(),
    updated_at: proposal.updatedAt.toISOString(),
  };
}

export function presentProposal(
  proposal: Proposal,
  history: (typeof proposalTransitions.$inferSelect)[],
): z.infer<typeof proposalSchema> {
  const first = proposal.changes[0]!;
  return {
    ...presentSummary(proposal),
    rationale: proposal.rationale,
    code_before: first.code_before,
    code_after: first.code_after,
    changes: proposal.changes,
    diff: proposal.diff,
    content_hash: proposal.contentHash,
    test_results: proposal.testResults,
    findings: proposal.findings,
    security: securitySummary(proposal.findings),
    review: proposal.reviewedAt
      ? {
          reason: proposal.reviewReason,
          note: proposal.reviewNote,
          reviewer: proposal.reviewedBy,
          reviewed_at: iso(proposal.reviewedAt),
        }
      : null,
    apply_error: proposal.applyError,
    pull_request_error: proposal.pullRequestError,
    superseded_by: proposal.supersededBy,
    history: history.map((entry) => ({
      from: entry.fromStatus as z.infer<typeof transitionSchema>['from'],
      to: entry.toStatus as z.infer<typeof transitionSchema>['to'],
      actor: entry.actor,
      reason: entry.reason,
      note: entry.note,
      at: entry.at.toISOString(),
    })),
  };
}
