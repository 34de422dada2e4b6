import type { Node } from 'web-tree-sitter';
import type { Language } from '../../languages.js';
import type { EngineContext } from '../rule.js';
import { ancestors, hasToken } from '../syntax.js';

export const JS_LANGUAGES: readonly Language[] = ['javascript', 'typescript', 'tsx'];

export const FUNCTION_TYPES = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

const LOOP_TYPES = new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement']);

/** The function a node is in (its nearest function ancestor), or undefined at module level. */
export function enclosingFunction(node: Node): Node | undefined {
  for (const ancestor of ancestors(node)) if (FUNCTION_TYPES.has(ancestor.type)) return ancestor;
  return undefined;
}

export const isAsync = (fn: Node) => hasToken(fn, 'async');
export const isGenerator = (fn: Node) => fn.type.startsWith('generator_') || hasToken(fn, '*');

/** The loop a node runs in, when it is inside a loop body of its own function. */
export function enclosingLoop(node: Node): Node | undefined {
  for (const ancestor of ancestors(node)) {
    if (FUNCTION_TYPES.has(ancestor.type) || ancestor.type === 'class_body') return undefined;
    if (LOOP_TYPES.has(ancestor.type)) {
      const body = ancestor.childForFieldName('body');
      if (body && node.startIndex >= body.startIndex && node.endIndex <= body.endIndex) return ancestor;
    }
  }
  return undefined;
}

/** Node types under which a name is mentioned: any of them keeps a binding alive. */
const MENTION_TYPES = new Set([
  'identifier',
  'type_identifier',
  'shorthand_property_identifier',
  'shorthand_property_identifier_pattern',
]);

const mentionCache = new WeakMap<EngineContext, Map<string, number>>();

/**
 * How often each name appears anywhere in the file (scopes ignored, so shadowing only over-counts: a
 * binding is treated as unused only when its own declaration is its one mention).
 */
export function mentions(context: EngineContext): Map<string, number> {
  let counts = mentionCache.get(context);
  if (!counts) {
    counts = new Map();
    for (const node of context.nodes) {
      if (MENTION_TYPES.has(node.type)) counts.set(node.text, (counts.get(node.text) ?? 0) + 1);
    }
    mentionCache.set(context, counts);
  }
  return counts;
}

/** `eval` and `with` make name resolution dynamic: rules about unused names stay away from such files. */
export function hasDynamicScope(context: EngineContext): boolean {
  return (mentions(context).get('eval') ?? 0) > 0 || context.ofType('with_statement').length > 0;
}

const BINDING_PARENTS = new Set([
  'variable_declarator',
  'formal_parameters',
  'required_parameter',
  'optional_parameter',
  'rest_pattern',
  'array_pattern',
  'object_pattern',
  'pair_pattern',
  'assignment_pattern',
  'object_assignment_pattern',
  'catch_clause',
  'function_declaration',
  'function_expression',
  'generator_function_declaration',
  'generator_function',
  'class_declaration',
  'class',
  'import_specifier',
  'import_clause',
  'namespace_import',
  'arrow_function',
  'for_in_statement',
]);

/** How many times the name is bound (declared, a parameter, imported…) anywhere in the file. */
export function bindingCount(context: EngineContext, name: string): number {
  let count = 0;
  for (const node of context.ofType('identifier', 'shorthand_property_identifier_pattern')) {
    if (node.text !== name) continue;
    const parent = node.parent;
    if (!parent || !BINDING_PARENTS.has(parent.type)) continue;
    // `f(a)` inside a declarator's value or a default value is a use, not a binding.
    if (parent.type === 'variable_declarator' && parent.childForFieldName('name')?.id !== node.id) continue;
    if (parent.type === 'assignment_pattern' && parent.childForFieldName('left')?.id !== node.id) continue;
    if (parent.type === 'for_in_statement' && parent.childForFieldName('left')?.id !== node.id) continue;
    if (parent.type === 'arrow_function' && parent.childForFieldName('parameter')?.id !== node.id) continue;
    if (parent.type === 'catch_clause' && parent.childForFieldName('parameter')?.id !== node.id) continue;
    count++;
  }
  return count;
}

/**
 * The single `const` declarator of `name` in the file, when the name is bound exactly once, so every
 * mention of it refers to that constant.
 */
export function soleConstant(context: EngineContext, name: string): Node | undefined {
  if (bindingCount(context, name) !== 1) return undefined;
  for (const declarator of context.ofType('variable_declarator')) {
    const nameNode = declarator.childForFieldName('name');
    if (nameNode?.type !== 'identifier' || nameNode.text !== name) continue;
    const declaration = declarator.parent;
    if (declaration?.type === 'lexical_declaration' && hasToken(declaration, 'const')) return declarator;
    return undefined;
  }
  return undefined;
}

const PRIMITIVE_LITERALS = new Set(['number', 'string', 'true', 'false', 'null']);

/** Whether evaluating the expression can run no user code, throw, or change any state. */
export function isPure(node: Node | null): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'number':
    case 'string':
    case 'true':
    case 'false':
    case 'null':
    case 'regex':
    case 'arrow_function':
    case 'function_expression':
    case 'function':
      return true;
    case 'template_string':
      return !node.namedChildren.some((child) => child.type === 'template_substitution');
    case 'parenthesized_expression':
    case 'as_expression':
    case 'satisfies_expression':
    case 'non_null_expression':
      return isPure(node.namedChildren[0] ?? null);
    case 'unary_expression': {
      const operator = node.childForFieldName('operator')?.type;
      const argument = node.childForFieldName('argument');
      return (
        (operator === '-' || operator === '!' || operator === 'void') && PRIMITIVE_LITERALS.has(argument?.type ?? '')
      );
    }
    case 'binary_expression': {
      // `in` and `instanceof` throw on primitives; BigInt arithmetic throws when mixed or divided by 0n.
      const operator = node.childForFieldName('operator')?.type ?? '';
      const operands = [node.childForFieldName('left'), node.childForFieldName('right')];
      return (
        !['in', 'instanceof'].includes(operator) &&
        operands.every(
          (operand) =>
            PRIMITIVE_LITERALS.has(operand?.type ?? '') && !(operand?.type === 'number' && /n$/.test(operand.text)),
        )
      );
    }
    case 'array':
      return node.namedChildren.every((child) => child.type !== 'comment' && isPure(child));
    case 'object':
      return node.namedChildren.every((child) => {
        if (child.type === 'pair') {
          const key = child.childForFieldName('key');
          return (
            ['property_identifier', 'string', 'number'].includes(key?.type ?? '') &&
            isPure(child.childForFieldName('value'))
          );
        }
        if (child.type === 'method_definition') {
          return child.childForFieldName('name')?.type === 'property_identifier';
        }
        return false;
      });
    default:
      return false;
  }
}
