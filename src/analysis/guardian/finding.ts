import type { Node } from 'web-tree-sitter';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** A replacement of the code between two byte-free character offsets (JavaScript string indices). */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** A safe, minimal automatic fix: the edits to apply to the analysed code. */
export interface Fix {
  readonly description: string;
  readonly edits: readonly TextEdit[];
}

/** What a rule reports: where, how sure, and optionally how to fix it. */
export interface RuleMatch {
  readonly node: Node;
  readonly confidence: Confidence;
  /** overrides the rule's severity (e.g. info for a constant-only sink) */
  readonly severity?: Severity;
  /** overrides the rule's message with details of this match */
  readonly message?: string;
  readonly fix?: Fix;
}

/** A finding as the API answers it (lines and columns are 1-based). */
export interface Finding {
  readonly rule_id: string;
  readonly issue_type: string;
  readonly cwe: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  readonly line: number;
  readonly column: number;
  readonly end_line: number;
  readonly end_column: number;
  readonly message: string;
  readonly remediation: string;
  readonly fix?: Fix;
}
