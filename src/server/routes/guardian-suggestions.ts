import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { CONFIDENCES, SEVERITIES, type Confidence, type Fix } from '../../analysis/guardian/finding.js';
import { languageOfPath } from '../../analysis/languages.js';
import { GUARDIAN_RULES } from '../../analysis/guardian/rules.js';
import { checkLlmFix, proposeLlmFix } from '../../guardian/llm-fix.js';
import { contentSha256, fingerprintFindings } from '../../guardian/fingerprint.js';
import {
  findSuggestion,
  listSuggestions,
  reviewSuggestion,
  SUGGESTION_STATUSES,
  type GuardianSuggestion,
} from '../../guardian/suggestion-store.js';
import { ComputeBusyError } from '../../compute/compute.js';
import { repositories } from '../../db/schema.js';
import { createProposal, type RepositoryReader } from '../../inbox/create-proposal.js';
import { ProposalRefusedError } from '../../proposals/proposal-refused-error.js';
import { LlmNotConfiguredError } from '../../llm/language-model-errors.js';
import { publishProposalEvent } from '../../proposals/proposal-events.js';
import { occupantOfPath, readFileAtRef, resolveHead } from '../../repositories/git-repository.js';
import { RepositoryNotFoundError } from '../../repositories/repository-not-found-error.js';
import { publishGuardianEvent } from '../../guardian/guardian-events.js';
import { conflict, HttpProblem, notFound } from '../problem.js';
import { idParams, paginationQuery, withTotalCount } from './api/v1/representations.js';
import { applyFix } from './guardian.js';

const reader: RepositoryReader = { resolveHead, readFileAtRef, occupantOfPath };

const editSchema = z.object({ start: z.number().int(), end: z.number().int(), replacement: z.string() });

const suggestionSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    fingerprint: z
      .string()
      .describe('stable identity: repository, file, rule and the flagged code (not its line) — sha256 hex'),
    file_path: z.string(),
    rule_id: z.string(),
    issue_type: z.string(),
    cwe: z.string(),
    severity: z.enum(SEVERITIES),
    confidence: z.enum(CONFIDENCES),
    line: z.number().int().describe('1-based, in the file as last scanned'),
    column: z.number().int(),
    end_line: z.number().int(),
    end_column: z.number().int(),
    message: z.string(),
    description: z.string().describe('the same as message (seed field)'),
    remediation: z.string(),
    code_snippet: z.string().describe('the lines of the finding; a secret itself is masked'),
    suggested_fix: z.string().nullable().describe("the automatic fix's description; null when there is none"),
    fix: z
      .object({ description: z.string(), edits: z.array(editSchema) })
      .nullable()
      .describe('edits to the file as last scanned (JavaScript string offsets)'),
    commit: z.string().describe('the commit of the last scan that found it'),
    status: z.enum(SUGGESTION_STATUSES),
    resolved: z.boolean().describe('no longer found by the latest scan of its file'),
    resolved_at: z.string().nullable(),
    proposal_id: z.uuid().nullable().describe('the proposal created when it was approved'),
    review_reason: z.string().nullable(),
    review_note: z.string().nullable(),
    reviewed_by: z.string().nullable(),
    reviewed_at: z.string().nullable(),
    first_seen_at: z.string(),
    last_seen_at: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'GuardianSuggestion' });

function presentSuggestion(row: GuardianSuggestion): z.infer<typeof suggestionSchema> {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    fingerprint: row.fingerprint,
    file_path: row.filePath,
    rule_id: row.ruleId,
    issue_type: row.issueType,
    cwe: row.cwe,
    severity: row.severity as z.infer<typeof suggestionSchema>['severity'],
    confidence: row.confidence as Confidence,
    line: row.line,
    column: row.column,
    end_line: row.endLine,
    end_column: row.endColumn,
    message: row.message,
    description: row.message,
    remediation: row.remediation,
    code_snippet: row.codeSnippet,
    suggested_fix: row.fix?.description ?? null,
    fix: row.fix ?? null,
    commit: row.commit,
    status: row.status,
    resolved: row.resolved,
    resolved_at: row.resolvedAt?.toISOString() ?? null,
    proposal_id: row.proposalId,
    review_reason: row.reviewReason,
    review_note: row.reviewNote,
    reviewed_by: row.reviewedBy,
    reviewed_at: row.reviewedAt?.toISOString() ?? null,
    first_seen_at: row.firstSeenAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    created_at: row.createdAt.toISOString(),
  };
}

const suggestionEventData = (row: GuardianSuggestion) => ({
  id: row.id,
  repository_id: row.repositoryId,
  rule_id: row.ruleId,
  severity: row.severity,
  status: row.status,
  proposal_id: row.proposalId,
});

/** A comma-separated list of allowed values. */
const listOf = <T extends string>(values: readonly T[], what: string) =>
  z
    .string()
    .max(200)
    .optional()
    .transform((value, context) => {
      if (!value) return undefined;
      const items = value.split(',').map((item) => item.trim());
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (unknown.length) {
        context.addIssue({ code: 'custom', message: `unknown ${what} ${unknown.join(', ')}` });
        return z.NEVER;
      }
      return items as T[];
    })
    .describe(`one ${what} or several separated by commas: ${values.join(', ')}`);

const listQuery = paginationQuery.extend({
  severity: listOf(SEVERITIES, 'severity'),
  status: listOf(SUGGESTION_STATUSES, 'status'),
  repository_id: z.uuid().optional(),
  rule_id: z.string().max(200).optional(),
  issue_type: z.string().max(100).optional(),
  file_path: z.string().max(1024).optional(),
  include_resolved: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('true: also suggestions the latest scan no longer found'),
});

const approveBody = z
  .strictObject({
    use_llm: z
      .boolean()
      .optional()
      .describe(
        'ask the configured model for a fix when the rule has no automatic one; default: whether a provider is configured',
      ),
  })
  .nullish();

const verdictBody = z.strictObject({
  reason: z.string().min(1).max(500).describe('why, for the record and the learning signal'),
  note: z.string().max(5000).optional(),
});

/** How sure a proposal from a suggestion is, on the proposals' 0–1 scale. */
const CONFIDENCE_SCORE: Record<Confidence, number> = { low: 0.4, medium: 0.7, high: 0.9 };

const notPending = (row: GuardianSuggestion) =>
  conflict('suggestion_not_pending', `Suggestion ${row.id} is ${row.status}, not pending.`, {
    current_status: row.status,
  });

/** Guardian's stored suggestions (`/guardian/suggestions`), found by repository scans (the guardian agent). */
const guardianSuggestionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { database, events } = app.services;
  const orm = database.orm;
  const read = { auth: { scope: 'agents:read' as const } };
  const write = { auth: { scope: 'proposals:write' as const } };

  async function existing(id: string) {
    const row = await findSuggestion(orm, id);
    if (!row) throw notFound(`No suggestion ${id}.`);
    return row;
  }

  /**
   * Where the finding is in the file as it is now, with its fix: the stored place when the file is unchanged
   * since the scan; otherwise the same finding (by fingerprint) found again in the current content, or
   * undefined when it moved away or is gone.
   */
  async function currentFinding(
    row: GuardianSuggestion,
    current: string,
  ): Promise<{ line: number; endLine: number; fix: Fix | undefined } | undefined> {
    if (contentSha256(current) === row.contentHash) {
      return { line: row.line, endLine: row.endLine, fix: row.fix ?? undefined };
    }
    const rule = GUARDIAN_RULES.find((candidate) => candidate.id === row.ruleId);
    const language = languageOfPath(row.filePath);
    if (!rule || !language) return undefined;
    const findings = await app.services.compute
      .analyze({ code: current, filePath: row.filePath, language, ruleIds: [rule.id] })
      .then(
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

  app.get(
    '/suggestions',
    {
      config: read,
      schema: {
        summary: "List Guardian's suggestions, newest first",
        description:
          'Suggestions are stored by repository scans (`POST /agents/guardian/run {repository_id}`). Resolved ones ' +
          '(no longer found by the latest scan of their file) are left out unless `include_resolved=true`. ' +
          '`X-Total-Count` is the number of matches.',
        tags: ['guardian'],
        querystring: listQuery,
        response: { 200: z.array(suggestionSchema) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const page = await listSuggestions(orm, {
        severities: query.severity,
        statuses: query.status,
        repositoryId: query.repository_id,
        ruleId: query.rule_id,
        issueType: query.issue_type,
        filePath: query.file_path,
        includeResolved: query.include_resolved,
        limit: query.limit,
        skip: query.skip,
      });
      return withTotalCount(reply, page).map(presentSuggestion);
    },
  );

  app.get(
    '/suggestions/:id',
    {
      config: read,
      schema: {
        summary: 'Get a Guardian suggestion',
        tags: ['guardian'],
        params: idParams,
        response: { 200: suggestionSchema },
      },
    },
    async (request) => presentSuggestion(await existing(request.params.id)),
  );

  app.post(
    '/suggestions/:id/approve',
    {
      config: write,
      schema: {
        summary: 'Approve a suggestion: propose its fix',
        description:
          "Applies the fix to the file at the tip of the repository's default branch and creates a proposal " +
          '(`ai_type` guardian, with the rule, confidence and description of the finding); the suggestion becomes ' +
          "`approved` with its `proposal_id`. The fix is the rule's automatic one when it has one. Otherwise, with " +
          'an LLM provider configured (or `use_llm: true`), the configured model is asked for a fix of the lines ' +
          'around the finding, and its answer is checked before anything is proposed: it must change only lines it ' +
          'was shown, around the finding; the file must still parse; Guardian must no longer find the rule as often; ' +
          'and it must introduce no high or critical finding — else 422 `llm_fix_rejected` with the reason, and the ' +
          'suggestion stays pending. Refused with 409: `no_automatic_fix` (no safe automatic fix and no model ' +
          'asked), `suggestion_not_pending`, `stale_suggestion` (the file changed and the finding is no longer ' +
          'where it was, or is gone), and the refusals of proposal creation (e.g. `duplicate`); `use_llm: true` ' +
          'without a provider is 503 `llm_not_configured`.',
        tags: ['guardian'],
        params: idParams,
        body: approveBody,
        response: { 200: suggestionSchema },
      },
    },
    async (request) => {
      const row = await existing(request.params.id);
      if (row.status !== 'pending') throw notPending(row);
      const llmConfigured = app.services.llm.isConfigured();
      const useLlm = !row.fix && (request.body?.use_llm ?? llmConfigured);
      if (!row.fix && !useLlm) {
        throw conflict(
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
      if (row.resolved) {
        throw conflict('stale_suggestion', `The latest scan of ${row.filePath} no longer found this problem.`);
      }
      const [repository] = await orm.select().from(repositories).where(eq(repositories.id, row.repositoryId));
      if (!repository) throw new RepositoryNotFoundError(row.repositoryId);
      const head = await resolveHead(repository);
      const current = await readFileAtRef(repository, head, row.filePath);
      const finding = current === undefined ? undefined : await currentFinding(row, current);
      if (current === undefined || !finding || (!useLlm && !finding.fix)) {
        throw conflict(
          'stale_suggestion',
          `${row.filePath} changed at ${head.slice(0, 12)} and the finding is no longer where the scan saw it; scan again.`,
          { head },
        );
      }
      const after = finding.fix ? applyFix(current, finding.fix) : undefined;
      if (!useLlm && after === undefined) {
        throw conflict('stale_suggestion', `The fix no longer applies to ${row.filePath} at ${head.slice(0, 12)}.`, {
          head,
        });
      }
      const fixed = useLlm
        ? await llmFixed(row, current, finding)
        : { after: after!, description: finding.fix!.description, note: '' };
      const principal = request.principal!.label;
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
            createdBy: principal,
          },
          app.services.now(),
          app.services.compute,
        );
        proposalId = proposal.id;
        await publishProposalEvent(events, 'created', proposal, app.log);
        for (const older of superseded) await publishProposalEvent(events, 'superseded', older, app.log);
      } catch (error) {
        // An approval retried after it created its proposal finds that proposal as a duplicate: link it.
        const existingId =
          error instanceof ProposalRefusedError && error.code === 'duplicate'
            ? error.extensions.existing_id
            : undefined;
        if (typeof existingId !== 'string') throw error;
        proposalId = existingId;
      }
      const approved = await reviewSuggestion(orm, row.id, {
        status: 'approved',
        reviewer: principal,
        proposalId,
        now: app.services.now(),
      });
      if (!approved) throw notPending(await existing(row.id));
      await publishGuardianEvent(events, 'guardian.suggestion_approved', suggestionEventData(approved), request.log);
      return presentSuggestion(approved);
    },
  );

  /** A model's fix of the finding, checked; a fix that fails a check is a 422 naming it. */
  async function llmFixed(row: GuardianSuggestion, current: string, finding: { line: number; endLine: number }) {
    const language = languageOfPath(row.filePath);
    if (!language) {
      throw new HttpProblem(
        422,
        'llm_fix_rejected',
        'Unprocessable Content',
        `${row.filePath} has no analysed language.`,
      );
    }
    const fix = await proposeLlmFix(app.services.llm, {
      code: current,
      filePath: row.filePath,
      language,
      target: { ...row, line: finding.line, endLine: finding.endLine },
    });
    await checkLlmFix({
      before: current,
      after: fix.codeAfter,
      filePath: row.filePath,
      language,
      ruleId: row.ruleId,
    });
    return {
      after: fix.codeAfter,
      description: `Fix written by ${fix.provider}/${fix.model}`,
      note:
        `\n\nFix written by the model ${fix.provider}/${fix.model}: ${fix.explanation}\n` +
        `Checked by lvlup: the file still parses, Guardian no longer finds ${row.ruleId} there, and the fix ` +
        'introduces no high or critical finding. Sandbox runs the repository checks on it.',
    };
  }

  for (const [verb, status, summary] of [
    ['reject', 'rejected', 'Reject a suggestion (a false positive, or not worth fixing)'],
    ['ignore', 'ignored', 'Ignore a suggestion: later scans never raise it again'],
  ] as const) {
    app.post(
      `/suggestions/:id/${verb}`,
      {
        config: write,
        schema: {
          summary,
          description:
            `Records the reason, the reviewer and the time; the suggestion becomes \`${status}\` and keeps that ` +
            'status when later scans find it again. Only a pending suggestion can be reviewed (409 ' +
            '`suggestion_not_pending`).',
          tags: ['guardian'],
          params: idParams,
          body: verdictBody,
          response: { 200: suggestionSchema },
        },
      },
      async (request) => {
        const reviewed = await reviewSuggestion(orm, request.params.id, {
          status,
          reviewer: request.principal!.label,
          reason: request.body.reason,
          note: request.body.note,
          now: app.services.now(),
        });
        if (!reviewed) throw notPending(await existing(request.params.id));
        await publishGuardianEvent(events, `guardian.suggestion_${status}`, suggestionEventData(reviewed), request.log);
        return presentSuggestion(reviewed);
      },
    );
  }
};

export default guardianSuggestionRoutes;
