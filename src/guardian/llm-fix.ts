import { z } from 'zod';
import type { LanguageModelService } from '../llm/language-model-service.js';
import { scanProposalChanges, securityGateFailure } from '../analysis/security-gate.js';
import { analyzeCode } from '../analysis/guardian/analyze.js';
import type { Language } from '../analysis/languages.js';
import { parsesCleanly } from '../analysis/guardian/parser.js';
import { GUARDIAN_RULES } from '../analysis/guardian/rules.js';

/** Lines of context the model sees on each side of the finding; it may only rewrite lines it was shown. */
const CONTEXT_LINES = 30;
/** A fix longer than this many lines is not the minimal change Guardian asks for. */
const MAX_REPLACEMENT_LINES = 60;

const answerSchema = z.object({
  start_line: z.number().int().min(1).describe('first line you replace (1-based, as numbered in the excerpt)'),
  end_line: z.number().int().min(1).describe('last line you replace (inclusive)'),
  replacement: z.string().describe('the new text of those lines, without line numbers, indented as the file is'),
  explanation: z.string().min(1).describe('what the fix changes and why it removes the weakness'),
});

const SYSTEM = [
  'You fix one security weakness in a source file with the smallest change that removes it.',
  'Keep behaviour for legitimate input, public interfaces, formatting and comments. Do not add dependencies',
  'the file does not already use unless the standard library has none. Replace a contiguous range of the',
  'numbered lines you are shown with new text, and say why the fix works.',
].join(' ');

/** The finding to fix, as a suggestion stores it. */
export interface FixTarget {
  readonly ruleId: string;
  readonly cwe: string;
  readonly message: string;
  readonly remediation: string;
  readonly line: number;
  readonly endLine: number;
}

export interface LlmFix {
  readonly codeAfter: string;
  readonly explanation: string;
  readonly provider: string;
  readonly model: string;
}

/** The model's fix cannot be used; `reason` says why (it is an answer to check, never to trust). */
export class LlmFixRejectedError extends Error {
  readonly code = 'llm_fix_rejected';
  constructor(readonly reason: string) {
    super(`The model's fix was not used: ${reason}.`);
    this.name = 'LlmFixRejectedError';
  }
}

const numbered = (lines: readonly string[], from: number, to: number) =>
  lines
    .slice(from - 1, to)
    .map((text, index) => `${String(from + index).padStart(5)} | ${text}`)
    .join('\n');

/**
 * Asks the configured model (as the guardian agent, so its tokens and budgets are Guardian's) for a fix of
 * one finding, limited to the lines around it. What comes back is only a candidate: `checkLlmFix` decides.
 */
export async function proposeLlmFix(
  service: LanguageModelService,
  input: { code: string; filePath: string; language: Language; target: FixTarget; signal?: AbortSignal },
): Promise<LlmFix> {
  const lines = input.code.split('\n');
  const from = Math.max(1, input.target.line - CONTEXT_LINES);
  const to = Math.min(lines.length, input.target.endLine + CONTEXT_LINES);
  const result = await service.generateObject({
    agentType: 'guardian',
    purpose: 'guardian.fix',
    system: SYSTEM,
    prompt: [
      `File: ${input.filePath} (${input.language}), ${lines.length} lines; you see lines ${from}-${to}.`,
      `Weakness: ${input.target.ruleId} (${input.target.cwe}) at lines ${input.target.line}-${input.target.endLine}: ` +
        input.target.message,
      `Remediation: ${input.target.remediation}`,
      'Excerpt:',
      numbered(lines, from, to),
    ].join('\n'),
    schema: answerSchema,
    schemaName: 'guardian_fix',
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const answer = result.object;
  if (answer.end_line < answer.start_line) throw new LlmFixRejectedError('its line range ends before it starts');
  if (answer.start_line < from || answer.end_line > to) {
    throw new LlmFixRejectedError(
      `it rewrote lines ${answer.start_line}-${answer.end_line}, outside the lines ${from}-${to} it was shown`,
    );
  }
  if (answer.start_line > input.target.endLine || answer.end_line < input.target.line) {
    throw new LlmFixRejectedError(
      `it rewrote lines ${answer.start_line}-${answer.end_line}, which do not touch the finding's lines ` +
        `${input.target.line}-${input.target.endLine}`,
    );
  }
  const replacement = answer.replacement.replace(/\n$/, '').split('\n');
  if (replacement.length > MAX_REPLACEMENT_LINES) {
    throw new LlmFixRejectedError(`its replacement has ${replacement.length} lines (at most ${MAX_REPLACEMENT_LINES})`);
  }
  const after = [...lines.slice(0, answer.start_line - 1), ...replacement, ...lines.slice(answer.end_line)];
  return {
    codeAfter: after.join('\n'),
    explanation: answer.explanation,
    provider: result.provider,
    model: result.model,
  };
}

/**
 * Whether a model's fix may become a proposal: it changes the file, the file still parses (if it did), the
 * rule no longer finds as much as before, and it introduces no high or critical finding. Throws
 * LlmFixRejectedError naming the first check that failed.
 */
export async function checkLlmFix(input: {
  before: string;
  after: string;
  filePath: string;
  language: Language;
  ruleId: string;
}): Promise<void> {
  if (input.after === input.before) throw new LlmFixRejectedError('it changed nothing');
  const parsesBefore = await parsesCleanly(input.before, input.language);
  if (parsesBefore && !(await parsesCleanly(input.after, input.language))) {
    throw new LlmFixRejectedError('the fixed file does not parse');
  }
  const count = async (code: string) =>
    (await analyzeCode({ code, filePath: input.filePath, language: input.language }, GUARDIAN_RULES)).filter(
      (finding) => finding.rule_id === input.ruleId,
    ).length;
  if ((await count(input.after)) >= (await count(input.before))) {
    throw new LlmFixRejectedError(`Guardian still finds ${input.ruleId} in the fixed file`);
  }
  const introduced = await scanProposalChanges([
    { file_path: input.filePath, code_before: input.before, code_after: input.after },
  ]);
  const blocking = securityGateFailure(introduced);
  if (blocking) throw new LlmFixRejectedError(`Guardian: ${blocking}`);
}
