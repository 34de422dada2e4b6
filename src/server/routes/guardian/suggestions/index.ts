import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONFIDENCES, SEVERITIES, type Confidence } from '../../../../analysis/guardian/finding.js';
import { approveSuggestion } from '../../../../guardian/approve-suggestion.js';
import { getSuggestion, recordVerdict } from '../../../../guardian/review-suggestion.js';
import {
  listSuggestions,
  SUGGESTION_STATUSES,
  type GuardianSuggestion,
} from '../../../../guardian/suggestion-store.js';
import { gitRepositoryReader } from '../../../../repositories/git-reader.js';
import { idParams, paginationQuery, withTotalCount } from '../../api/v1/representations.js';

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

/** Guardian's stored suggestions (`/guardian/suggestions`), found by repository scans (the guardian agent). */
const guardianSuggestionRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const orm = services.database.orm;
  const read = { auth: { scope: 'agents:read' as const } };
  const write = { auth: { scope: 'proposals:write' as const } };

  app.get(
    '/',
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
    '/:id',
    {
      config: read,
      schema: {
        summary: 'Get a Guardian suggestion',
        tags: ['guardian'],
        params: idParams,
        response: { 200: suggestionSchema },
      },
    },
    async (request) => {
      return presentSuggestion(await getSuggestion(orm, request.params.id));
    },
  );

  app.post(
    '/:id/approve',
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
      const approved = await approveSuggestion(
        { ...services, orm, reader: gitRepositoryReader, now: () => services.now(), log: request.log },
        { id: request.params.id, useLlm: request.body?.use_llm, reviewer: request.principal!.label },
      );
      return presentSuggestion(approved);
    },
  );

  for (const [verb, status, summary] of [
    ['reject', 'rejected', 'Reject a suggestion (a false positive, or not worth fixing)'],
    ['ignore', 'ignored', 'Ignore a suggestion: later scans never raise it again'],
  ] as const) {
    app.post(
      `/:id/${verb}`,
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
        const reviewed = await recordVerdict(
          { orm, events: services.events, now: () => services.now(), log: request.log },
          request.params.id,
          { status, reviewer: request.principal!.label, reason: request.body.reason, note: request.body.note },
        );
        return presentSuggestion(reviewed);
      },
    );
  }
};

export default guardianSuggestionRoutes;
