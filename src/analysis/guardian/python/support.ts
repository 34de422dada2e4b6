import type { Node, Tree } from 'web-tree-sitter';
import type { Confidence, RuleMatch, Severity } from '../finding.js';
import type { Rule, RuleContext } from '../rule.js';
import { callParts, callsIn, children, dottedName, type CallParts } from './ast.js';
import { TaintAnalysis, type Level } from './taint.js';

/** One taint analysis and one list of calls per parsed file, shared by every rule. */
interface FileFacts {
  readonly taint: TaintAnalysis;
  readonly calls: readonly CallParts[];
}
const facts = new WeakMap<Tree, FileFacts>();

export function factsOf(context: RuleContext): FileFacts {
  let known = facts.get(context.tree);
  if (!known) {
    const taint = new TaintAnalysis(context.root);
    known = { taint, calls: callsIn(context.root).map((call) => callParts(call, taint.aliases)) };
    facts.set(context.tree, known);
  }
  return known;
}

export type RuleSpec = Omit<Rule, 'languages' | 'check'> & {
  check(context: RuleContext, facts: FileFacts): RuleMatch[];
};

export function pythonRule(spec: RuleSpec): Rule {
  return {
    id: spec.id,
    issueType: spec.issueType,
    cwe: spec.cwe,
    severity: spec.severity,
    languages: ['python'],
    message: spec.message,
    remediation: spec.remediation,
    check: (context) => spec.check(context, factsOf(context)),
  };
}

/** The confidence of a finding for a sink reached by data of a level: none for constant or sanitised data. */
export function confidenceFor(level: Level, reportUnknown: boolean): Confidence | undefined {
  if (level === 'tainted') return 'high';
  if (level === 'unknown' && reportUnknown) return 'medium';
  return undefined;
}

export function match(
  node: Node,
  confidence: Confidence,
  extra: Omit<RuleMatch, 'node' | 'confidence'> = {},
): RuleMatch {
  return { node, confidence, ...extra };
}

export const severityFor = (confidence: Confidence, high: Severity, otherwise: Severity): Severity =>
  confidence === 'high' ? high : otherwise;

/** Whether a call's qualified name is one of the names (exactly) or ends with `.<suffix>` for a suffix. */
export function named(parts: CallParts, names: ReadonlySet<string>): boolean {
  return parts.name !== undefined && names.has(parts.name);
}

/** The string keys and values of a dictionary literal. */
export function dictionaryPairs(node: Node | undefined): { key: Node; value: Node }[] {
  if (node?.type !== 'dictionary') return [];
  return children(node)
    .filter((pair) => pair.type === 'pair')
    .map((pair) => ({ key: pair.childForFieldName('key')!, value: pair.childForFieldName('value')! }))
    .filter((pair) => pair.key && pair.value);
}

/** The name a value is given: the assignment target, keyword or the enclosing function when returned. */
export function destinationName(node: Node): string | undefined {
  for (let at: Node | null = node.parent; at; at = at.parent) {
    if (at.type === 'assignment' || at.type === 'augmented_assignment') return at.childForFieldName('left')?.text;
    if (at.type === 'keyword_argument') return at.childForFieldName('name')?.text;
    if (at.type === 'pair') return at.childForFieldName('key')?.text;
    if (at.type === 'return_statement') {
      for (let fn: Node | null = at.parent; fn; fn = fn.parent)
        if (fn.type === 'function_definition') return fn.childForFieldName('name')?.text;
      return undefined;
    }
    if (at.type === 'function_definition' || at.type.endsWith('statement')) return undefined;
  }
  return undefined;
}

export { dottedName };
