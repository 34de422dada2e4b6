import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { languageOfPath, LANGUAGES } from '../../analysis/languages.js';
import { parsesCleanly } from '../../analysis/guardian/parser.js';
import { generateExtension, pathsAtCommit, type ExtensionRequest } from '../../imperium/create-extension.js';
import type { ImperiumLlmPass } from '../../analysis/imperium/llm-pass.js';
import { UnsupportedLanguageError, type EngineChange } from '../../analysis/imperium/optimize.js';
import { IMPACTS } from '../../analysis/imperium/rule.js';
import { repositories } from '../../db/schema.js';
import { LlmNotConfiguredError } from '../../llm/language-model-errors.js';
import { createProposal } from '../../inbox/create-proposal.js';
import { publishProposalEvent } from '../../proposals/proposal-events.js';
import { proposalHistory } from '../../proposals/proposal-store.js';
import { presentProposal, proposalSchema } from '../../proposals/representation.js';
import { securityGateFailure, securitySummary } from '../../analysis/security-gate.js';
import { findEntry, readFileAtRef, resolveHead } from '../../repositories/git-repository.js';
import { RepositoryNotFoundError } from '../../repositories/repository-not-found-error.js';
import { normaliseRelativePath, UnsafePathError } from '../../repositories/safe-path.js';
import { HttpProblem } from '../problem.js';
import { reader } from './proposals.js';

/** The largest code Imperium optimises in one request; the whole body is also bound by `BODY_LIMIT_BYTES`. */
export const MAX_CODE_LENGTH = 1_000_000;

export interface ImperiumRouteOptions {
  /** the LLM pass, when an LLM provider is configured; without it `use_llm` answers 503 */
  readonly llmPass?: ImperiumLlmPass | undefined;
}

const optimizeBody = z
  .strictObject({
    code: z
      .string()
      .max(MAX_CODE_LENGTH)
      .describe('the source code to optimise (at most 1,000,000 characters, and within the body limit)'),
    file_path: z
      .string()
      .min(1)
      .max(500)
      .describe("the file's path; its extension chooses the language unless `language` is given"),
    language: z.enum(LANGUAGES).optional().describe('the language, overriding the extension of `file_path`'),
    goals: z
      .array(z.enum(IMPACTS))
      .min(1)
      .max(IMPACTS.length)
      .optional()
      .describe('only rules with these expected impacts run; all when left out'),
    use_llm: z
      .boolean()
      .default(false)
      .describe('also run an LLM pass after the deterministic engine (503 `llm_not_configured` without a provider)'),
  })
  .describe('A file to optimise. Nothing is stored.');

const changeSchema = z
  .object({
    rule_id: z.string(),
    line: z.number().int().describe('1-based line in the submitted code'),
    explanation: z.string(),
    expected_impact: z.enum(IMPACTS),
    confidence: z.number().describe('0–1'),
    source: z.enum(['engine', 'llm']).describe('the deterministic engine, or the LLM pass'),
  })
  .meta({ id: 'ImperiumChange' });

const optimizeResponse = z.object({
  file_path: z.string(),
  language: z.enum(LANGUAGES),
  optimized_code: z.string().describe('the code with every applied change; equal to `code` when there is none'),
  diff: z.string().describe("a unified diff from `code` to `optimized_code` ('' when nothing changed)"),
  changes: z.array(changeSchema).describe('the changes applied in `optimized_code`'),
  suggestions: z
    .array(changeSchema)
    .describe('improvements reported but not applied: a precondition could not be proved, or the rule only suggests'),
  parse_errors: z.boolean().describe('the code did not parse cleanly, so nothing was changed automatically'),
  rules_run: z.number().int(),
  llm_rejected: z
    .string()
    .nullable()
    .optional()
    .describe("with use_llm: why the model's answer was dropped (unparseable, or Guardian blocked it); null when used"),
});

const present = (change: EngineChange, source: 'engine' | 'llm') => ({ ...change, source });

const extensionBody = z
  .strictObject({
    repository_id: z
      .uuid()
      .optional()
      .describe('the repository to propose the files to; without it the files are answered and nothing is stored'),
    description: z.string().trim().min(1).max(10_000).describe('what the new module should do'),
    file_path: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('where the main module goes (a new file of a language Imperium parses); the model chooses otherwise'),
    language: z
      .enum(LANGUAGES)
      .optional()
      .describe('the language to write it in; must match `file_path` when both are given'),
  })
  .describe('A module to generate, with its tests, as new files.');

const generatedFileSchema = z.object({
  file_path: z.string(),
  language: z.enum(LANGUAGES),
  content: z.string(),
});

const extensionPreview = z
  .object({
    files: z.array(generatedFileSchema).describe('the new files: the module and its tests; each parses'),
    explanation: z.string().describe("the model's account of the module and its tests"),
    findings: z
      .array(z.record(z.string(), z.unknown()))
      .describe("Guardian's findings in the new files (as a proposal's `findings`: all `introduced`)"),
    security: z
      .object({
        scanned: z.boolean(),
        introduced: z.number().int(),
        resolved: z.number().int(),
        scan_errors: z.number().int(),
        blocking: z.boolean(),
      })
      .describe('the findings in numbers; `blocking` is what would hold a proposal of them back from auto-apply'),
  })
  .meta({ id: 'ImperiumExtension' });

const bodyProblem = (status: number, code: string, title: string, field: string, message: string, detail: string) =>
  new HttpProblem(status, code, title, detail, { errors: [{ field: `body.${field}`, message }] });

/** Imperium's synchronous optimisation of one file (`/imperium/…`); repository runs are agent tasks. */
const imperiumRoutes: FastifyPluginAsyncZod<ImperiumRouteOptions> = async (app, options) => {
  await app.register(extensionRoutes);
  const { compute } = app.services;
  app.post(
    '/optimize',
    {
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Optimise one file with behaviour-preserving transforms',
        description:
          "Runs Imperium's deterministic engine (JavaScript, TypeScript, TSX or Python): every rule whose " +
          'precondition can be proved rewrites the code with minimal edits, and the result must still parse. ' +
          'Answers the optimised code, a unified diff, the applied `changes` and `suggestions` that were only ' +
          'reported. A `// lvlup-ignore <rule>` comment (`#` in Python) turns a rule off on its line. A file ' +
          'type Imperium does not know, without `language`, is 400 `unsupported_language`; `use_llm` without a ' +
          'configured LLM provider is 503 `llm_not_configured`. The engine runs in a worker thread; when every ' +
          'thread is busy and the queue is full, 503 `server_busy` with Retry-After. The rules are listed in ' +
          'docs/imperium.md.',
        tags: ['imperium'],
        body: optimizeBody,
        response: { 200: optimizeResponse },
      },
    },
    async (request) => {
      const { code, file_path: filePath, goals, use_llm: useLlm } = request.body;
      const language = request.body.language ?? languageOfPath(filePath);
      if (!language) {
        const error = new UnsupportedLanguageError(filePath);
        throw new HttpProblem(400, error.code, 'Bad Request', error.message, {
          errors: [
            { field: 'body.file_path', message: 'has an extension Imperium does not optimise; give `language`' },
          ],
        });
      }
      if (useLlm && !options.llmPass) {
        throw new LlmNotConfiguredError(
          'use_llm needs an LLM provider, and none is configured; call again without use_llm for the deterministic engine alone.',
        );
      }
      // The engine, the diffs and the security gate run in the compute pool, off the event loop.
      const result = await compute.optimize({ code, filePath, language, goals });
      if (result.failedRules.length > 0) {
        request.log.error({ rules: result.failedRules, filePath }, 'an Imperium rule failed');
      }
      let optimizedCode = result.optimizedCode;
      let llmRejected: string | null = null;
      let diff = result.diff;
      const changes = result.changes.map((change) => present(change, 'engine'));
      if (useLlm && options.llmPass) {
        const proposed = await options.llmPass.improve({
          code: optimizedCode,
          filePath,
          language,
          goals,
          engineChanges: result.changes,
        });
        // LLM output is used only when it still parses and Guardian finds nothing serious it introduces;
        // otherwise the engine's result stands and the answer says why the model's was dropped.
        if (!(await parsesCleanly(proposed.optimizedCode, language))) {
          llmRejected = 'the model answered code that does not parse';
        } else if (proposed.optimizedCode !== optimizedCode) {
          const introduced = await compute.securityGate([
            { file_path: filePath, code_before: optimizedCode, code_after: proposed.optimizedCode },
          ]);
          const blocking = securityGateFailure(introduced);
          if (blocking) {
            llmRejected = `Guardian: ${blocking}`;
          } else {
            optimizedCode = proposed.optimizedCode;
            diff = (await compute.diff([{ file_path: filePath, code_before: code, code_after: optimizedCode }])).diff;
            changes.push(...proposed.changes.map((change) => present(change, 'llm')));
          }
        }
      }
      return {
        file_path: filePath,
        language,
        optimized_code: optimizedCode,
        diff,
        changes,
        suggestions: result.suggestions.map((change) => present(change, 'engine')),
        parse_errors: result.parseErrors,
        rules_run: result.rulesRun,
        ...(useLlm ? { llm_rejected: llmRejected } : {}),
      };
    },
  );
};

/** Imperium's LLM generation of new modules (`POST /imperium/create-extension`). */
const extensionRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;

  app.post(
    '/create-extension',
    {
      // Like /optimize with use_llm: running Imperium (and spending tokens) is agents:run.
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Generate a new module and its tests with the language model',
        description:
          'Asks the configured language model for new files (the module and its tests) and checks them as ' +
          'untrusted: every path must be safe, new and JavaScript, TypeScript or Python, and every file must ' +
          'parse; otherwise 502 `llm_invalid_output` with each problem, and nothing is stored. With ' +
          '`repository_id`: 201 with a proposal (`ai_type` imperium, `category` extension) that creates the files, ' +
          "with Guardian's findings, tested by Sandbox when the repository has checks. Without: 200 with the " +
          'files and their findings, nothing stored. Without a provider: 503 `llm_not_configured` (there is no ' +
          'deterministic fallback). See docs/imperium.md.',
        tags: ['imperium', 'proposals'],
        body: extensionBody,
        response: { 200: extensionPreview, 201: proposalSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let filePath: string | undefined;
      if (body.file_path !== undefined) {
        try {
          filePath = normaliseRelativePath(body.file_path);
        } catch (error) {
          if (!(error instanceof UnsafePathError)) throw error;
          throw bodyProblem(400, 'unsafe_path', 'Bad Request', 'file_path', error.reason, error.message);
        }
        const language = languageOfPath(filePath);
        if (!language) {
          throw bodyProblem(
            400,
            'unsupported_language',
            'Bad Request',
            'file_path',
            'must end in .js, .jsx, .mjs, .cjs, .ts, .tsx, .mts, .cts or .py',
            `Imperium generates JavaScript, TypeScript or Python; ${filePath} is none of them.`,
          );
        }
        if (body.language && body.language !== language) {
          throw bodyProblem(
            400,
            'validation_failed',
            'Bad Request',
            'language',
            `does not match file_path, which is ${language}`,
            `language ${body.language} does not match file_path ${filePath} (${language}).`,
          );
        }
      }
      if (!services.llm.isConfigured()) {
        throw new LlmNotConfiguredError(
          'create-extension writes code with a language model, and no provider is configured: set OPENAI_API_KEY, ' +
            'ANTHROPIC_API_KEY, OLLAMA_BASE_URL or LLM_OPENAI_COMPATIBLE_BASE_URL.',
        );
      }
      const generation: ExtensionRequest = { description: body.description, filePath, language: body.language };
      let repository: typeof repositories.$inferSelect | undefined;
      if (body.repository_id) {
        [repository] = await orm.select().from(repositories).where(eq(repositories.id, body.repository_id));
        if (!repository) throw new RepositoryNotFoundError(body.repository_id);
        const known = repository;
        const head = await resolveHead(known);
        const exists = async (path: string) => {
          try {
            return (await findEntry(known, head, path)) !== undefined;
          } catch (error) {
            // A path through a symbolic link is not a new file either.
            if (error instanceof UnsafePathError) return true;
            throw error;
          }
        };
        if (filePath && (await exists(filePath))) {
          throw bodyProblem(
            409,
            'file_exists',
            'Conflict',
            'file_path',
            'exists at HEAD; create-extension only adds new files',
            `${filePath} exists in the repository at HEAD (${head.slice(0, 12)}).`,
          );
        }
        const listing = await pathsAtCommit(known, head);
        let manifest: ExtensionRequest['manifest'];
        for (const candidate of ['package.json', 'pyproject.toml']) {
          if (!listing.paths.includes(candidate)) continue;
          const content = await readFileAtRef(known, head, candidate).catch(() => undefined);
          if (content !== undefined) manifest = { path: candidate, content };
          break;
        }
        Object.assign(generation, { existingPaths: listing.paths, manifest, exists });
      }
      const generated = await generateExtension(services.llm, generation);
      const files = generated.files.map((file) => ({
        file_path: file.file_path,
        code_before: '',
        code_after: file.content,
      }));
      if (!repository) {
        const findings = await services.compute.securityGate(files);
        return reply.code(200).send({
          files: generated.files,
          explanation: generated.explanation,
          findings,
          security: securitySummary(findings),
        });
      }
      const { proposal, superseded } = await createProposal(
        orm,
        reader,
        {
          aiType: 'imperium',
          repositoryId: repository.id,
          description: body.description,
          rationale: generated.explanation,
          ruleId: 'llm.extension',
          category: 'extension',
          confidence: 0.5,
          files,
          createdBy: request.principal!.label,
        },
        services.now(),
        services.compute,
      );
      await publishProposalEvent(services.events, 'created', proposal, app.log);
      for (const older of superseded) await publishProposalEvent(services.events, 'superseded', older, app.log);
      return reply.code(201).send(presentProposal(proposal, await proposalHistory(orm, proposal.id)));
    },
  );
};

export default imperiumRoutes;
