import type { Node, Tree } from 'web-tree-sitter';
import type { Confidence, RuleMatch, Severity } from '../finding.js';
import type { Language } from '../../languages.js';
import type { Rule, RuleContext } from '../rule.js';
import { callArguments, dottedName, stringValue, unwrap } from './syntax.js';
import { taintOf, type TaintAnalysis, type TaintLevel } from './taint.js';

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

const bindingsByTree = new WeakMap<Tree, Map<string, Set<string>>>();

/** The module a `require('m')` call (possibly awaited or parenthesised) loads, else undefined. */
function requiredModule(node: Node | null): string | undefined {
  if (!node) return undefined;
  const target = unwrap(node);
  if (target.type !== 'call_expression' || target.childForFieldName('function')?.text !== 'require') return undefined;
  return stringValue(callArguments(target)[0]);
}

/** Every local name bound to a module, by module (`node:` prefixes dropped). */
function moduleBindings(root: Node): Map<string, Set<string>> {
  const cached = bindingsByTree.get(root.tree);
  if (cached) return cached;
  const result = new Map<string, Set<string>>();
  const add = (module: string | undefined, name: string | undefined) => {
    if (!module || !name) return;
    const key = module.replace(/^node:/, '');
    const names = result.get(key) ?? new Set<string>();
    names.add(name);
    result.set(key, names);
  };
  for (const node of root.descendantsOfType(['import_statement', 'variable_declarator'])) {
    if (node.type === 'import_statement') {
      const module = stringValue(node.childForFieldName('source'));
      const clause = node.namedChildren.find((child) => child.type === 'import_clause');
      for (const part of clause?.namedChildren ?? []) {
        if (part.type === 'identifier') add(module, part.text);
        else if (part.type === 'namespace_import')
          add(module, part.namedChildren.find((c) => c.type === 'identifier')?.text);
        else if (part.type === 'named_imports')
          for (const specifier of part.namedChildren.filter((c) => c.type === 'import_specifier'))
            add(module, (specifier.childForFieldName('alias') ?? specifier.childForFieldName('name'))?.text);
      }
      continue;
    }
    const module = requiredModule(node.childForFieldName('value'));
    const pattern = node.childForFieldName('name');
    if (!module || !pattern) continue;
    if (pattern.type === 'identifier') add(module, pattern.text);
    else if (pattern.type === 'object_pattern')
      for (const property of pattern.namedChildren) {
        if (property.type === 'shorthand_property_identifier_pattern') add(module, property.text);
        else if (property.type === 'pair_pattern') add(module, property.childForFieldName('value')?.text);
      }
  }
  bindingsByTree.set(root.tree, result);
  return result;
}

/** Names the file binds to a module: `import x from 'm'`, `import * as x`, `import { a as x }`, `const x = require('m')`. */
export function moduleNames(root: Node, modules: readonly string[]): Set<string> {
  const bindings = moduleBindings(root);
  return new Set(modules.flatMap((module) => [...(bindings.get(module) ?? [])]));
}

/** Whether the file declares a variable, function or class of this name itself. */
export function declares(root: Node, name: string): boolean {
  return root
    .descendantsOfType(['variable_declarator', 'function_declaration', 'class_declaration'])
    .some((node) => node.childForFieldName('name')?.text === name);
}

const moduleConstantsCache = new WeakMap<Node, Set<string>>();

/** The names a module binds once at its top level: `const` declarations (destructuring included) and imports. */
export function moduleConstants(root: Node): Set<string> {
  const cached = moduleConstantsCache.get(root);
  if (cached) return cached;
  const names = new Set<string>();
  for (const statement of root.namedChildren) {
    if (statement.type === 'import_statement') {
      for (const identifier of statement.descendantsOfType('identifier')) names.add(identifier.text);
    } else if (statement.type === 'lexical_declaration' && statement.firstChild?.text === 'const') {
      for (const declarator of statement.namedChildren) {
        const name = declarator.childForFieldName('name');
        if (!name) continue;
        if (name.type === 'identifier') names.add(name.text);
        else
          for (const identifier of name.descendantsOfType(['identifier', 'shorthand_property_identifier_pattern']))
            names.add(identifier.text);
      }
    }
  }
  moduleConstantsCache.set(root, names);
  return names;
}

/** The constant text of an expression built from strings (fragments of templates and concatenations). */
export function constantText(node: Node): string {
  return node
    .descendantsOfType(['string_fragment'])
    .map((n) => n.text)
    .join(' ');
}

/** Names of headless-browser pages and frames (Puppeteer, Playwright). */
export const PAGE_OBJECT = /(?:^|\.)(?:page|frame|tab|browserPage)$/i;

/** Names of the HTTP response objects of Node, Express, Fastify and Koa handlers. */
export const RESPONSE_OBJECTS = new Set(['res', 'response', 'reply', 'ctx', 'ctx.res']);
