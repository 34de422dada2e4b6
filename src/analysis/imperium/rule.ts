import type { Node, Tree } from 'web-tree-sitter';
import type { TextEdit } from '../guardian/finding.js';
import type { Language } from '../languages.js';

/** What an improvement is expected to bring; also the proposal's category. */
export const IMPACTS = ['performance', 'correctness', 'maintainability'] as const;
export type Impact = (typeof IMPACTS)[number];

export type { TextEdit };

/** What a rule sees: the parsed file, walked once. */
export interface EngineContext {
  readonly code: string;
  readonly filePath: string;
  readonly language: Language;
  readonly tree: Tree;
  readonly root: Node;
  /** every node of the tree in document order */
  readonly nodes: readonly Node[];
  /** the nodes of the given types, in document order */
  ofType(...types: string[]): Node[];
}

/**
 * One place a rule applies. With `edits` it is an automatic, behaviour-preserving change; without, it is
 * reported as a suggestion only (a person decides), and `explanation` says why it was not applied.
 */
export interface RuleMatch {
  readonly node: Node;
  readonly edits?: readonly TextEdit[];
  /** overrides the rule's explanation for this match (e.g. which precondition could not be proved) */
  readonly explanation?: string;
}

/**
 * One optimisation or improvement. `precondition` states what `check` verifies before it offers edits:
 * a transform must keep the program's behaviour whenever the precondition holds. A rule with
 * `suggestOnly` never offers edits.
 */
export interface ImperiumRule {
  readonly id: string;
  readonly title: string;
  readonly languages: readonly Language[];
  readonly impact: Impact;
  /** 0–1: how likely a reviewer is to want the change when the precondition holds */
  readonly confidence: number;
  readonly suggestOnly: boolean;
  readonly explanation: string;
  readonly precondition: string;
  check(context: EngineContext): RuleMatch[];
}
