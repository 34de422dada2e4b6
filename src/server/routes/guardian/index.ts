import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UnsupportedLanguageError } from '../../../analysis/guardian/analyze.js';
import { CONFIDENCES, SEVERITIES, type Finding, type Severity } from '../../../analysis/guardian/finding.js';
import { LANGUAGES } from '../../../analysis/languages.js';
import { analyzeFile } from '../../../guardian/analyze-file.js';
import { applyFix } from '../../../guardian/apply-fix.js';
import { HttpProblem } from '../../problem.js';

/** The largest code Guardian analyses in one request; the whole body is also bound by `BODY_LIMIT_BYTES`. */
export const MAX_CODE_LENGTH = 1_000_000;

const analyzeBody = z
  .strictObject({
    code: z
      .string()
      .max(MAX_CODE_LENGTH)
      .describe('the source code to analyse (at most 1,000,000 characters, and within the body limit)'),
    file_path: z
      .string()
      .min(1)
      .max(500)
      .describe("the file's path; its extension chooses the language unless `language` is given"),
    language: z.enum(LANGUAGES).optional().describe('the language, overriding the extension of `file_path`'),
  })
  .describe('A file to analyse. Nothing is stored: the code is parsed, checked and forgotten.');

const editSchema = z.object({
  start: z.number().int().describe('offset of the first replaced character (a JavaScript string index)'),
  end: z.number().int().describe('offset after the last replaced character'),
  replacement: z.string(),
});

const findingSchema = z
  .object({
    rule_id: z.string(),
    issue_type: z.string().describe('the family of the rule, e.g. hard_coded_secret'),
    cwe: z.string().describe('CWE-<n>'),
    severity: z.enum(SEVERITIES),
    confidence: z.enum(CONFIDENCES),
    line: z.number().int().describe('1-based'),
    column: z.number().int().describe('1-based'),
    end_line: z.number().int(),
    end_column: z.number().int(),
    message: z.string(),
    remediation: z.string(),
    fix: z
      .object({
        description: z.string(),
        edits: z.array(editSchema),
        patched_code: z.string().describe('the whole code with this fix (and no other) applied'),
      })
      .optional()
      .describe('a safe, minimal automatic fix, when the rule has one'),
  })
  .meta({ id: 'GuardianFinding' });

const analysisSchema = z.object({
  file_path: z.string(),
  language: z.enum(LANGUAGES),
  findings: z.array(findingSchema),
  summary: z.object({
    total: z.number().int(),
    by_severity: z.object(
      Object.fromEntries(SEVERITIES.map((severity) => [severity, z.number().int()])) as Record<Severity, z.ZodNumber>,
    ),
  }),
  rules_run: z.number().int().describe('how many rules apply to the language and were run'),
});

function presentFinding(code: string, finding: Finding) {
  const { fix, ...rest } = finding;
  const patched = fix ? applyFix(code, fix) : undefined;
  return {
    ...rest,
    ...(fix && patched !== undefined
      ? {
          fix: {
            description: fix.description,
            edits: fix.edits.map(({ start, end, replacement }) => ({ start, end, replacement })),
            patched_code: patched,
          },
        }
      : {}),
  };
}

/** Guardian's synchronous analysis of one file (`/guardian/…`); repository scans run as agent tasks. */
const guardianRoutes: FastifyPluginAsyncZod = async (app) => {
  const { compute } = app.services;
  app.post(
    '/analyze',
    {
      config: { auth: { scope: 'agents:run' } },
      schema: {
        summary: 'Analyse one file for security problems',
        description:
          'Parses the code (JavaScript, TypeScript, TSX or Python) and runs every Guardian rule for its language: ' +
          'findings with their position (1-based lines and columns), CWE, severity, confidence and, where a ' +
          'safe fix exists, its edits and the patched code. Code with syntax errors is analysed as far as it ' +
          'parses. A `// lvlup-ignore <rule>` comment (`#` in Python) suppresses a finding on its line, or on ' +
          'the next line when it stands alone. A file type Guardian does not know, without `language`, is 400 ' +
          '`unsupported_language`. The analysis runs in a worker thread; when every thread is busy and the ' +
          'queue is full, 503 `server_busy` with Retry-After.',
        tags: ['guardian'],
        body: analyzeBody,
        response: { 200: analysisSchema },
      },
    },
    async (request) => {
      const { code, file_path: filePath, language } = request.body;
      let analysis;
      try {
        analysis = await analyzeFile(compute, { code, filePath, language }, request.log);
      } catch (error) {
        if (!(error instanceof UnsupportedLanguageError)) throw error;
        throw new HttpProblem(400, error.code, 'Bad Request', error.message, {
          errors: [{ field: 'body.file_path', message: 'has an extension Guardian does not analyse; give `language`' }],
        });
      }
      return {
        file_path: filePath,
        language: analysis.language,
        findings: analysis.findings.map((finding) => presentFinding(code, finding)),
        summary: { total: analysis.findings.length, by_severity: analysis.bySeverity },
        rules_run: analysis.rulesRun,
      };
    },
  );
};

export default guardianRoutes;
