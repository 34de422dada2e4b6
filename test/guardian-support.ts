// Helpers for the Guardian analyzer tests (no database): scan a snippet, summarise findings, apply a fix.
import { analyzeCode } from '../src/analysis/guardian/analyze.js';
import type { Finding, TextEdit } from '../src/analysis/guardian/finding.js';
import { languageOfPath } from '../src/analysis/languages.js';
import { parseSource } from '../src/analysis/guardian/parser.js';
import { GUARDIAN_RULES } from '../src/analysis/guardian/rules.js';

export const scan = (code: string, filePath: string): Promise<Finding[]> =>
  analyzeCode({ code, filePath }, GUARDIAN_RULES);

/** `rule@line` for each finding (of one family when given). */
export async function found(code: string, filePath: string, issueType?: string): Promise<string[]> {
  const findings = await scan(code, filePath);
  return findings.filter((f) => !issueType || f.issue_type === issueType).map((f) => `${f.rule_id}@${f.line}`);
}

export function applyEdits(code: string, edits: readonly TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((text, edit) => text.slice(0, edit.start) + edit.replacement + text.slice(edit.end), code);
}

/** Whether the code parses without error nodes in its language. */
export async function parses(code: string, filePath: string): Promise<boolean> {
  const tree = await parseSource(code, languageOfPath(filePath)!);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}
