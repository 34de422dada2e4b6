import { analyzeCode } from './guardian/analyze.js';
import type { Finding, Severity } from './guardian/finding.js';
import { languageOfPath } from './languages.js';
import { GUARDIAN_RULES } from './guardian/rules.js';
import type { Rule } from './guardian/rule.js';

/** Severities of an introduced finding that block auto-apply. */
export const BLOCKING_SEVERITIES: readonly Severity[] = ['high', 'critical'];

/**
 * Guardian takes about 10 ms per KiB of JavaScript, on the request path: larger files, and files past the
 * proposal's budget, are not scanned but reported as a `scan_error`, which blocks auto-apply (a reviewer
 * can still accept them).
 */
export const MAX_SCANNED_FILE_CHARS = 128 * 1024;
export const MAX_SCANNED_TOTAL_CHARS = 512 * 1024;

/** The longest flagged text kept on a stored finding (the match itself uses the whole text). */
const MAX_SNIPPET_LENGTH = 200;

/**
 * One entry of a proposal's `findings` column. `introduced` entries are findings of the new code that the
 * old code does not have; `resolved` ones are findings of the old code that the change removes (their
 * position is in `code_before`); a `scan_error` says a file, or a rule on it, could not be checked.
 */
export interface ProposalFinding {
  readonly status: 'introduced' | 'resolved' | 'scan_error';
  readonly introduced: boolean;
  readonly file_path: string;
  readonly rule_id: string | null;
  readonly issue_type?: string;
  readonly cwe?: string;
  readonly severity?: Severity;
  readonly confidence?: Finding['confidence'];
  readonly line?: number;
  readonly column?: number;
  readonly end_line?: number;
  readonly end_column?: number;
  readonly message: string;
  readonly remediation?: string;
  readonly snippet?: string;
  readonly [key: string]: unknown;
}

/** The text a finding flags (lines and columns are 1-based, columns in JavaScript string units). */
export function flaggedText(code: string, finding: Pick<Finding, 'line' | 'column' | 'end_line' | 'end_column'>) {
  const lines = code.split('\n');
  if (finding.line === finding.end_line) {
    return (lines[finding.line - 1] ?? '').slice(finding.column - 1, finding.end_column - 1);
  }
  const parts = [(lines[finding.line - 1] ?? '').slice(finding.column - 1)];
  for (let line = finding.line + 1; line < finding.end_line; line += 1) parts.push(lines[line - 1] ?? '');
  parts.push((lines[finding.end_line - 1] ?? '').slice(0, finding.end_column - 1));
  return parts.join('\n');
}

/** Whitespace carries no meaning for the match: a reformatted line is the same finding. */
export const normaliseSnippet = (text: string) => text.replace(/\s+/g, '');

export interface LocatedFinding {
  readonly finding: Finding;
  readonly snippet: string;
}

const matchKey = (located: LocatedFinding) => `${located.finding.rule_id}\u0000${normaliseSnippet(located.snippet)}`;

/** The findings of `others` that have no counterpart in `base`, matched by rule id and normalised flagged
 * text with multiplicity — never by line, since lines shift when code around them changes. */
function unmatched(others: readonly LocatedFinding[], base: readonly LocatedFinding[]): LocatedFinding[] {
  const available = new Map<string, number>();
  for (const located of base) available.set(matchKey(located), (available.get(matchKey(located)) ?? 0) + 1);
  return others.filter((located) => {
    const key = matchKey(located);
    const left = available.get(key) ?? 0;
    if (left === 0) return true;
    available.set(key, left - 1);
    return false;
  });
}

/** What a change does to a file's findings: the ones it adds and the ones it removes. */
export function compareFindings(
  before: readonly LocatedFinding[],
  after: readonly LocatedFinding[],
): { introduced: LocatedFinding[]; resolved: LocatedFinding[] } {
  return { introduced: unmatched(after, before), resolved: unmatched(before, after) };
}

function locate(code: string, findings: readonly Finding[]): LocatedFinding[] {
  return findings.map((finding) => ({ finding, snippet: flaggedText(code, finding) }));
}

function entry(filePath: string, status: 'introduced' | 'resolved', { finding, snippet }: LocatedFinding) {
  return {
    status,
    introduced: status === 'introduced',
    file_path: filePath,
    rule_id: finding.rule_id,
    issue_type: finding.issue_type,
    cwe: finding.cwe,
    severity: finding.severity,
    confidence: finding.confidence,
    line: finding.line,
    column: finding.column,
    end_line: finding.end_line,
    end_column: finding.end_column,
    message: finding.message,
    remediation: finding.remediation,
    snippet: snippet.length > MAX_SNIPPET_LENGTH ? `${snippet.slice(0, MAX_SNIPPET_LENGTH)}…` : snippet,
  } satisfies ProposalFinding;
}

/**
 * Guardian's check of a proposal: each changed file in a language Guardian analyses is analysed before
 * and after the change, and the findings the change introduces or resolves are listed. Files of other
 * languages are skipped, so their proposals get an empty list. Pure CPU: the code is parsed in memory.
 */
export async function scanProposalChanges(
  changes: readonly { file_path: string; code_before: string; code_after: string }[],
  rules: readonly Rule[] = GUARDIAN_RULES,
  limits: { maxFileChars: number; maxTotalChars: number } = {
    maxFileChars: MAX_SCANNED_FILE_CHARS,
    maxTotalChars: MAX_SCANNED_TOTAL_CHARS,
  },
): Promise<ProposalFinding[]> {
  const result: ProposalFinding[] = [];
  let budget = limits.maxTotalChars;
  for (const change of changes) {
    const language = languageOfPath(change.file_path);
    if (!language) continue;
    const size = change.code_before.length + change.code_after.length;
    const largest = Math.max(change.code_before.length, change.code_after.length);
    if (largest > limits.maxFileChars || size > budget) {
      result.push({
        status: 'scan_error',
        introduced: false,
        file_path: change.file_path,
        rule_id: null,
        message:
          largest > limits.maxFileChars
            ? `the file is too large for the security scan (over ${limits.maxFileChars} characters)`
            : `the proposal is too large for the security scan (over ${limits.maxTotalChars} characters in all)`,
      });
      continue;
    }
    budget -= size;
    const failedRules = new Set<string>();
    try {
      const before = change.code_before
        ? await analyzeCode({ code: change.code_before, filePath: change.file_path, language }, rules)
        : [];
      const after = await analyzeCode({ code: change.code_after, filePath: change.file_path, language }, rules, {
        onRuleError: (ruleId) => failedRules.add(ruleId),
      });
      const compared = compareFindings(locate(change.code_before, before), locate(change.code_after, after));
      for (const located of compared.introduced) result.push(entry(change.file_path, 'introduced', located));
      for (const located of compared.resolved) result.push(entry(change.file_path, 'resolved', located));
    } catch (error) {
      result.push({
        status: 'scan_error',
        introduced: false,
        file_path: change.file_path,
        rule_id: null,
        message: `Guardian could not analyse the file: ${(error as Error).message}`,
      });
      continue;
    }
    // A rule that failed on the new code may have missed what it looks for: say so rather than pass it.
    for (const ruleId of failedRules) {
      result.push({
        status: 'scan_error',
        introduced: false,
        file_path: change.file_path,
        rule_id: ruleId,
        message: `Guardian's rule ${ruleId} failed on the new code`,
      });
    }
  }
  return result;
}

const isBlocking = (finding: Record<string, unknown>) =>
  finding.introduced === true && BLOCKING_SEVERITIES.includes(finding.severity as Severity);

/** A proposal's stored findings in numbers (null: stored before proposals were scanned). */
export function securitySummary(findings: readonly Record<string, unknown>[] | null) {
  if (findings === null) return { scanned: false, introduced: 0, resolved: 0, scan_errors: 0, blocking: false };
  const count = (status: string) => findings.filter((finding) => finding.status === status).length;
  return {
    scanned: true,
    introduced: count('introduced'),
    resolved: count('resolved'),
    scan_errors: count('scan_error'),
    blocking: findings.some((finding) => isBlocking(finding) || finding.status === 'scan_error'),
  };
}

/** Why the security gate refuses auto-apply, or undefined when it holds. */
export function securityGateFailure(findings: readonly Record<string, unknown>[]): string | undefined {
  const blocking = findings.filter(isBlocking);
  if (blocking.length > 0) {
    const first = blocking[0]!;
    return (
      `the change introduces ${blocking.length} high or critical security finding${blocking.length === 1 ? '' : 's'}` +
      ` (first: ${String(first.rule_id)} at ${String(first.file_path)}:${String(first.line)})`
    );
  }
  const failed = findings.find((finding) => finding.status === 'scan_error');
  if (failed) return `Guardian could not check ${String(failed.file_path)}: ${String(failed.message)}`;
  return undefined;
}
