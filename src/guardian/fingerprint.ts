import type { Finding } from '../analysis/guardian/finding.js';

import { sha256 } from '../analysis/changes.js';

/** sha256 of a file's content, as stored with its scan and its suggestions. */
export const contentSha256 = (content: string | Buffer) => sha256(content);

/** The JavaScript string offsets where each line starts. */
export function lineStarts(code: string): number[] {
  const starts = [0];
  for (let index = code.indexOf('\n'); index !== -1; index = code.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** The offsets a finding's 1-based line/column span covers, clamped to the code. */
export function findingRange(code: string, starts: readonly number[], finding: Finding): [number, number] {
  const offset = (line: number, column: number) =>
    Math.min(code.length, (starts[line - 1] ?? code.length) + Math.max(0, column - 1));
  return [offset(finding.line, finding.column), offset(finding.end_line, finding.end_column)];
}

/** Whitespace runs collapsed to one space, so re-indenting or re-wrapping the flagged code keeps its identity. */
export const normaliseCode = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Stable identities for the findings of one file: sha256 of repository, file path, rule and the normalised
 * text of the flagged code, plus the occurrence index among identical ones in the file (in order). The
 * line number is not part of it: adding code above a finding does not make it a new one.
 */
export function fingerprintFindings(
  repositoryId: string,
  filePath: string,
  code: string,
  findings: readonly Finding[],
): string[] {
  const starts = lineStarts(code);
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const [start, end] = findingRange(code, starts, finding);
    const identity = [repositoryId, filePath, finding.rule_id, normaliseCode(code.slice(start, end))].join('\0');
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    return sha256(`${identity}\0${occurrence}`);
  });
}

const MAX_SNIPPET_LENGTH = 2000;
const SECRET_ISSUE_TYPE = 'hard_coded_secret';

/**
 * The lines a finding covers, for reviewers. A secret's own text is masked: the stored suggestion must not
 * become another copy of it.
 */
export function snippetOf(code: string, starts: readonly number[], finding: Finding): string {
  const from = starts[finding.line - 1] ?? code.length;
  const lineEnd = starts[finding.end_line] ?? code.length;
  let text = code.slice(from, lineEnd);
  if (finding.issue_type === SECRET_ISSUE_TYPE || finding.rule_id.startsWith('secrets.')) {
    const [start, end] = findingRange(code, starts, finding);
    text = code.slice(from, start) + '«redacted»' + code.slice(end, lineEnd);
  }
  text = text.replace(/\r?\n$/, '');
  return text.length > MAX_SNIPPET_LENGTH ? `${text.slice(0, MAX_SNIPPET_LENGTH)}…` : text;
}
