import type { Node, Tree } from 'web-tree-sitter';
import type { RuleMatch, Severity } from './finding.js';
import type { Language } from '../languages.js';

/** What a rule sees: the parsed file. */
export interface RuleContext {
  readonly code: string;
  readonly filePath: string;
  readonly language: Language;
  readonly tree: Tree;
  readonly root: Node;
}

/**
 * One check. `issueType` groups rules into the families the API reports (e.g. `sql_injection`); `cwe` is
 * `CWE-<n>`. A rule answers matches; the analyzer turns them into findings, applies suppressions and
 * sorts them.
 */
export interface Rule {
  readonly id: string;
  readonly issueType: string;
  readonly cwe: string;
  readonly severity: Severity;
  readonly languages: readonly Language[];
  readonly message: string;
  readonly remediation: string;
  check(context: RuleContext): RuleMatch[];
}
