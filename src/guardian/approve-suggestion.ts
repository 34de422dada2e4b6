import type { Confidence, Fix } from '../analysis/guardian/finding.js';
import { languageOfPath } from '../analysis/languages.js';
import { GUARDIAN_RULES } from '../analysis/guardian/rules.js';
import { type Compute, ComputeBusyError } from '../compute/compute.js';
import type { Orm } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { LlmNotConfiguredError } from '../llm/language-model-errors.js';
import type { LanguageModelService } from '../llm/language-model-service.js';
import { createProposal, type RepositoryReader } from '../inbox/create-proposal.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { findRepository } from '../repositories/repository-store.js';
import { applyFix } from './apply-fix.js';
import { contentSha256, fingerprintFindings } from './fingerprint.js';
import { publishGuardianEvent } from './guardian-events.js';
import { checkLlmFix, LlmFixRejectedError, proposeLlmFix } from './llm-fix.js';
import { getSuggestion, notPending, suggestionEventData } from './review-suggestion.js';
import { RepositoryNotFoundError } from '../repositories/repository-not-found-error.js';
import { SuggestionRefusedError } from './suggestion-refused-error.js';
import { reviewSuggestion, type GuardianSuggestion } from './suggestion-store.js';

export interface ApproveSuggestionDependencies {
  readonly orm: Orm;
  readonly reader: RepositoryReader;
  readonly llm: LanguageModelService;
  readonly compute: Pick<Compute, 'analyze' | 'diff' | 'securityGate'>;
  readonly events: EventBus;
  readonly now: () => Date;
  readonly log: { error(details: object, message: string): void };
}

/** How sure a proposal from a suggestion is, on the proposals' 0–1 scale. */
const CONFIDENCE_SCORE: Record<Confidence, number> = { low: 0.4, medium: 0.7, high: 0.9 };

const stale = (message: string, extensions: Record<string, unknown> = {}) =>
  new SuggestionRefusedError('stale_suggestion', message, extensions);

/**
 * Approves a pending suggestion: applies its fix (the rule's automatic one, or one written by the model and
 * checked) to the file at the tip of the default branch, creates a guardian proposal of it, links it to the
 * suggestion and announces both. Refusals are SuggestionRefusedError, ProposalRefusedError (from creating
 * the proposal) or LlmNotConfiguredError; a full compute pool is ComputeBusyError.
 */
export async function approveSuggestion(
  dependencies: ApproveSuggestionDependencies,
  approval: { readonly id: string; readonly useLlm?: boolean | undefined; readonly reviewer: string },
): Promise<GuardianSuggestion> {
  const { orm, reader, llm, compute, events, now, log } = dependencies;
  const row = await getSuggestion(orm, approval.id);
  if (row.status !== 'pending') throw notPending(row);
  const llmConfigured = llm.isConfigured();
  const useLlm = !row.fix && (approval.useLlm ?? llmConfigured);
  if (!row.fix && !useLlm) {
    throw new SuggestionRefusedError(
      'no_automatic_fix',
      `Rule ${row.ruleId} has no automatic fix for this finding; ` +
        (llmConfigured
          ? 'approve with `use_llm: true` to ask the configured model for one, '
          : 'with an LLM provider configured a model could propose one; ') +
        'or fix it by hand, or reject or ignore it.',
    );
  }
  if (useLlm && !llmConfigured) {
    throw new LlmNotConfiguredError('use_llm needs an LLM provider, and none is configured.');
  }
  if (row.resolved) throw stale(`The latest scan of ${row.filePath} no longer found this problem.`);
  const repository = await findRepository(orm, row.repositoryId);
  if (!repository) throw new RepositoryNotFoundError(row.repositoryId);
  const head = await reader.resolveHead(repository);
  const current = await reader.readFileAtRef(repository, head, row.filePath);
  const finding = current === undefined ? undefined : await currentFinding(compute, row, current);
  if (current === undefined || !finding || (!useLlm && !finding.fix)) {
    throw stale(
      `${row.filePath} changed at ${head.slice(0, 12)} and the finding is no longer where the scan saw it; scan again.`,
      { head },
    );
  }
  const after = finding.fix ? applyFix(current, finding.fix) : undefined;
  if (!useLlm && after === undefined) {
    throw stale(`The fix no longer applies to ${row.filePath} at ${head.slice(0, 12)}.`, { head });
  }
  const fixed = useLlm
    ? await llmFixed(llm, row, current, finding)
    : { after: after!, description: finding.fix!.description, note: '' };
  let proposalId: string;
  try {
    const { proposal, superseded } = await createProposal(
      orm,
      reader,
      {
        aiType: 'guardian',
        repositoryId: row.repositoryId,
        description: `${fixed.description} (${row.ruleId}, ${row.filePath}:${row.line})`,
        rationale: `${row.message}\n\n${row.remediation} (${row.cwe})${fixed.note}`,
        ruleId: row.ruleId,
        category: row.issueType,
        // a model's fix is as sure as a medium-confidence finding at most: it passed checks, not review
        confidence: Math.min(
          CONFIDENCE_SCORE[row.confidence as Confidence] ?? 0.5,
          useLlm ? CONFIDENCE_SCORE.medium : 1,
        ),
        files: [{ file_path: row.filePath, code_before: current, code_after: fixed.after }],
        createdBy: approval.reviewer,
      },
      now(),
      compute,
    );
    proposalId = proposal.id;
    await publishProposalEvent(events, 'created', proposal, log);
    for (const older of superseded) await publishProposalEvent(events, 'superseded', older, log);
  } catch (error) {
    // An approval retried after it created its proposal finds that proposal as a duplicate: link it.
    const existingId =
      error instanceof ProposalRefusedError && error.code === 'duplicate' ? error.extensions.existing_id : undefined;
    if (typeof existingId !== 'string') throw error;
    proposalId = existingId;
  }
  const approved = await reviewSuggestion(orm, row.id, {
    status: 'approved',
    reviewer: approval.reviewer,
    proposalId,
    now: now(),
  });
  if (!approved) throw notPending(await getSuggestion(orm, row.id));
  await publishGuardianEvent(events, 'guardian.suggestion_approved', suggestionEventData(approved), log);
  return approved;
}

/**
 * Where the finding is in the file as it is now, with its fix: the stored place when the file is unchanged
 * since the scan; otherwise the same finding (by fingerprint) found again in the current content, or
 * undefined when it moved away or is gone.
 */
async function currentFinding(
  compute: Pick<Compute, 'analyze'>,
  row: GuardianSuggestion,
  current: string,
): Promise<{ line: number; endLine: number; fix: Fix | undefined } | undefined> {
  if (contentSha256(current) === row.contentHash) {
    return { line: row.line, endLine: row.endLine, fix: row.fix ?? undefined };
  }
  const rule = GUARDIAN_RULES.find((candidate) => candidate.id === row.ruleId);
  const language = languageOfPath(row.filePath);
  if (!rule || !language) return undefined;
  const findings = await compute.analyze({ code: current, filePath: row.filePath, language, ruleIds: [rule.id] }).then(
    (outcome) => outcome.findings,
    (error: unknown) => {
      // A busy pool is the server's state, not the file's: the caller is told to retry.
      if (error instanceof ComputeBusyError) throw error;
      return [];
    },
  );
  const fingerprints = fingerprintFindings(row.repositoryId, row.filePath, current, findings);
  const finding = findings[fingerprints.indexOf(row.fingerprint)];
  return finding && { line: finding.line, endLine: finding.end_line, fix: finding.fix };
}

/** A model's fix of the finding, checked; a fix that fails a check is a 422 refusal naming it. */
async function llmFixed(
  llm: LanguageModelService,
  row: GuardianSuggestion,
  current: string,
  finding: { line: number; endLine: number },
) {
  const language = languageOfPath(row.filePath);
  if (!language) {
    throw new SuggestionRefusedError('llm_fix_rejected', `${row.filePath} has no analysed language.`);
  }
  try {
    const fix = await proposeLlmFix(llm, {
      code: current,
      filePath: row.filePath,
      language,
      target: { ...row, line: finding.line, endLine: finding.endLine },
    });
    await checkLlmFix({ before: current, after: fix.codeAfter, filePath: row.filePath, language, ruleId: row.ruleId });
    return {
      after: fix.codeAfter,
      description: `Fix written by ${fix.provider}/${fix.model}`,
      note:
        `\n\nFix written by the model ${fix.provider}/${fix.model}: ${fix.explanation}\n` +
        `Checked by lvlup: the file still parses, Guardian no longer finds ${row.ruleId} there, and the fix ` +
        'introduces no high or critical finding. Sandbox runs the repository checks on it.',
    };
  } catch (error) {
    if (error instanceof LlmFixRejectedError) {
      throw new SuggestionRefusedError(error.code, error.message, { reason: error.reason });
    }
    throw error;
  }
}
