import type { Node } from 'web-tree-sitter';
import type { EngineContext } from '../rule.js';

const mentionCache = new WeakMap<EngineContext, Map<string, number>>();

/** How often each identifier appears anywhere in the file (scopes ignored: shadowing only over-counts). */
export function mentions(context: EngineContext): Map<string, number> {
  let counts = mentionCache.get(context);
  if (!counts) {
    counts = new Map();
    for (const node of context.ofType('identifier')) counts.set(node.text, (counts.get(node.text) ?? 0) + 1);
    mentionCache.set(context, counts);
  }
  return counts;
}

const stringWordCache = new WeakMap<EngineContext, Set<string>>();

/** Every word inside a string literal: string annotations, `__all__`, getattr names and the like. */
export function wordsInStrings(context: EngineContext): Set<string> {
  let words = stringWordCache.get(context);
  if (!words) {
    words = new Set();
    for (const node of context.ofType('string_content')) {
      for (const word of node.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) words.add(word);
    }
    stringWordCache.set(context, words);
  }
  return words;
}

/** Calls that reach names dynamically: rules about unused or local names stay away from such files. */
const DYNAMIC = ['eval', 'exec', 'globals', 'locals', 'vars', '__import__', '__builtins__', 'builtins'];
export function hasDynamicNames(context: EngineContext): boolean {
  const counts = mentions(context);
  return DYNAMIC.some((name) => (counts.get(name) ?? 0) > 0);
}

const BINDING_PARENTS = new Set([
  'parameters',
  'lambda_parameters',
  'default_parameter',
  'typed_parameter',
  'typed_default_parameter',
  'list_splat_pattern',
  'dictionary_splat_pattern',
  'function_definition',
  'class_definition',
  'aliased_import',
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'as_pattern_target',
  'global_statement',
  'nonlocal_statement',
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'named_expression',
  'dotted_name',
]);

/** Whether the name is (or may be) rebound anywhere in the file, e.g. a builtin shadowed by a local. */
export function isRebound(context: EngineContext, name: string): boolean {
  for (const node of context.ofType('identifier')) {
    if (node.text !== name) continue;
    const parent = node.parent;
    if (!parent || !BINDING_PARENTS.has(parent.type)) continue;
    if (parent.type === 'assignment' || parent.type === 'augmented_assignment' || parent.type === 'for_statement') {
      if (parent.childForFieldName('left')?.id !== node.id) continue;
    }
    if (parent.type === 'for_in_clause' && parent.childForFieldName('left')?.id !== node.id) continue;
    if (parent.type === 'named_expression' && parent.childForFieldName('name')?.id !== node.id) continue;
    if (parent.type === 'default_parameter' || parent.type === 'typed_default_parameter') {
      if (parent.childForFieldName('name')?.id !== node.id) continue;
    }
    if (parent.type === 'dotted_name' && !parent.parent?.type.startsWith('import')) {
      if (parent.parent?.type !== 'aliased_import') continue;
    }
    return true;
  }
  return false;
}

export const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);

export function enclosingFunction(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (FUNCTION_TYPES.has(current.type) || current.type === 'class_definition') {
      return current.type === 'class_definition' ? undefined : current;
    }
  }
  return undefined;
}

/** A string literal without interpolation (not an f-string with fields); bytes too when `bytes` is set. */
export function isPlainString(node: Node | null, options: { bytes?: boolean } = {}): boolean {
  if (node?.type === 'concatenated_string') return node.namedChildren.every((part) => isPlainString(part, options));
  if (node?.type !== 'string') return false;
  if (node.namedChildren.some((child) => child.type === 'interpolation')) return false;
  const prefix = (node.namedChildren[0]?.text ?? '').replace(/['"]+$/, '').toLowerCase();
  return options.bytes ? true : !prefix.includes('b');
}
