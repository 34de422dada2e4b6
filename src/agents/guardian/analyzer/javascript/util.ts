import type { Node } from 'web-tree-sitter';
import type { Confidence, RuleMatch, Severity } from '../finding.js';
import type { Language } from '../languages.js';
import type { Rule, RuleContext } from '../rule.js';
import { callArguments, dottedName, taintOf, unwrap, type TaintAnalysis, type TaintLevel } from './taint.js';

export const JS_LANGUAGES: readonly Language[] = ['javascript', 'typescript', 'tsx'];

/** Every call and `new` expression in the file. */
export function callsIn(root: Node): Node[] {
  return root.descendantsOfType(['call_expression', 'new_expression']);
}

/** The callee of a call or `new` expression. */
export function calleeOf(call: Node): Node | null {
  return call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function');
}

/** `{ full: 'a.b.c', object: 'a.b', method: 'c' }` for a call; parts are '' when unknown. */
export function calleeParts(call: Node): { full: string; object: string; method: string } {
  const callee = calleeOf(call);
  if (!callee) return { full: '', object: '', method: '' };
  const target = unwrap(callee);
  if (target.type === 'member_expression') {
    const method = target.childForFieldName('property')?.text ?? '';
    const object = dottedName(target.childForFieldName('object')) ?? '';
    return { full: object ? `${object}.${method}` : method, object, method };
  }
  const full = dottedName(target) ?? '';
  return { full, object: '', method: full };
}

export { callArguments };

/** Confidence for a sink fed with a value of this level; undefined when it is safe. */
export function confidenceFor(level: TaintLevel): Confidence | undefined {
  if (level === 'tainted') return 'high';
  if (level === 'unknown') return 'medium';
  return undefined;
}

/** A match for a sink argument, or none when the value is safe. */
export function sinkMatch(node: Node, level: TaintLevel, message?: string): RuleMatch[] {
  const confidence = confidenceFor(level);
  if (!confidence) return [];
  return [{ node, confidence, ...(message ? { message } : {}) }];
}

/** The value of a property in an object literal (`{ key: value }`), by key name. */
export function propertyOf(object: Node | null | undefined, key: string): Node | undefined {
  if (!object) return undefined;
  const target = unwrap(object);
  if (target.type !== 'object') return undefined;
  for (const pair of target.namedChildren) {
    if (pair.type !== 'pair') continue;
    const name = pair.childForFieldName('key');
    const text = name?.type === 'string' ? name.text.slice(1, -1) : name?.text;
    if (text === key) return pair.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** A rule whose check gets the taint analysis of the file. */
export function defineRule(
  definition: Omit<Rule, 'check' | 'languages'> & {
    readonly severity: Severity;
    check(context: RuleContext, taint: TaintAnalysis): RuleMatch[];
  },
): Rule {
  return {
    ...definition,
    languages: JS_LANGUAGES,
    check: (context) => definition.check(context, taintOf(context.tree)),
  };
}

/** True when an expression builds a string from parts: concatenation or a template with substitutions. */
export function isStringBuilding(node: Node): boolean {
  const target = unwrap(node);
  if (target.type === 'binary_expression') return target.childForFieldName('operator')?.text === '+';
  if (target.type === 'template_string') return target.namedChildren.some((c) => c.type === 'template_substitution');
  if (target.type === 'call_expression') {
    const { method } = calleeParts(target);
    return method === 'concat' || method === 'format';
  }
  return false;
}

/**
 * The confidence for a sink argument: high when tainted; medium when of unknown origin and either `anyUnknown`
 * (dangerous whatever its origin, e.g. `eval`) or built from a non-constant part; none when safe.
 */
export function sinkConfidence(node: Node, taint: TaintAnalysis, anyUnknown = false): Confidence | undefined {
  const level = taint.level(node);
  if (level === 'tainted') return 'high';
  if (level === 'unknown' && (anyUnknown || isStringBuilding(taint.resolve(node)))) return 'medium';
  return undefined;
}

/** Names the file binds to a module: `import x from 'm'`, `import * as x`, `const x = require('m')`. */
export function moduleNames(code: string, modules: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const module of modules) {
    const quoted = `['"](?:node:)?${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]`;
    const patterns = [
      new RegExp(`import\\s+(?:\\*\\s+as\\s+)?([A-Za-z_$][\\w$]*)\\s*(?:,\\s*\\{[^}]*\\})?\\s*from\\s*${quoted}`, 'g'),
      new RegExp(`(?:const|let|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*require\\(\\s*${quoted}\\s*\\)`, 'g'),
    ];
    for (const pattern of patterns) for (const match of code.matchAll(pattern)) if (match[1]) names.add(match[1]);
    const named = new RegExp(
      `(?:import\\s*\\{([^}]*)\\}\\s*from|(?:const|let|var)\\s*\\{([^}]*)\\}\\s*=\\s*require\\()\\s*${quoted}`,
      'g',
    );
    for (const match of code.matchAll(named)) {
      for (const part of (match[1] ?? match[2] ?? '').split(',')) {
        const name = part
          .trim()
          .split(/\s+as\s+|\s*:\s*/)
          .pop();
        if (name) names.add(name);
      }
    }
  }
  return names;
}
