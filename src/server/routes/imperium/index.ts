import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LANGUAGES } from '../../../analysis/languages.js';
import { createImperiumLlmPass } from '../../../imperium/llm-pass.js';
import { optimizeFile } from '../../../imperium/optimize-file.js';
import { proposeExtension } from '../../../imperium/propose-extension.js';
import { UnsupportedLanguageError } from '../../../analysis/imperium/optimize.js';
import { IMPACTS } from '../../../analysis/imperium/rule.js';
import { presentProposal, proposalSchema } from '../../../proposals/representation.js';
import { securitySummary } from '../../../analysis/security-gate.js';
import { gitRepositoryReader } from '../../../repositories/git-reader.js';
import { HttpProblem } from '../../problem.js';

/** The largest code Imperium optimises in one request; the whole body is also bound by `BODY_LIMIT_BYTES`. */
export const MAX_CODE_LENGTH = 1_000_000;

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

/** Imperium's synchronous optimisation of one file (`/imperium/…`); repository runs are agent tasks. */
const imperiumRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(extensionRoutes);
  const { compute, llm } = app.services;
  // Without a configured provider there is no LLM pass, and `use_llm` answers 503.
  const llmPass = llm.isConfigured() ? createImperiumLlmPass(llm) : undefined;
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
      const { code, file_path: filePath, language, goals, use_llm: useLlm } = request.body;
      let result;
      try {
        result = await optimizeFile(
          { compute, llmPass, log: request.log },
          { code, filePath, language, goals, useLlm },
        );
      } catch (error) {
        if (!(error instanceof UnsupportedLanguageError)) throw error;
        throw new HttpProblem(400, error.code, 'Bad Request', error.message, {
          errors: [
            { field: 'body.file_path', message: 'has an extension Imperium does not optimise; give `language`' },
          ],
        });
      }
      return {
        file_path: filePath,
        language: result.language,
        optimized_code: result.optimizedCode,
        diff: result.diff,
        changes: result.changes,
        suggestions: result.suggestions,
        parse_errors: result.parseErrors,
        rules_run: result.rulesRun,
        ...(useLlm ? { llm_rejected: result.llmRejected } : {}),
      };
    },
  );
};

/** Imperium's LLM generation of new modules (`POST /imperium/create-extension`). */
const extensionRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;

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
      const outcome = await proposeExtension(
        {
          ...services,
          orm: services.database.orm,
          reader: gitRepositoryReader,
          now: () => services.now(),
          log: request.log,
        },
        {
          description: body.description,
          repositoryId: body.repository_id,
          filePath: body.file_path,
          language: body.language,
          createdBy: request.principal!.label,
        },
      );
      if (outcome.kind === 'preview') {
        return reply.code(200).send({
          files: outcome.files,
          explanation: outcome.explanation,
          findings: outcome.findings,
          security: securitySummary(outcome.findings),
        });
      }
      return reply.code(201).send(presentProposal(outcome.proposal, outcome.history));
    },
  );
};

export default imperiumRoutes;
