// Syntax helpers over tree-sitter JavaScript/TypeScript nodes: names, string values, calls, functions.
import type { Node } from 'web-tree-sitter';

export const FUNCTION_TYPES = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);

/** `a.b.c` for a chain of identifiers and property accesses (optional chaining ignored), else undefined. */
export function dottedName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
    case 'this':
    case 'property_identifier':
    case 'private_property_identifier':
      return node.text;
    case 'member_expression': {
      const object = dottedName(node.childForFieldName('object'));
      const property = node.childForFieldName('property')?.text;
      return object && property ? `${object}.${property}` : undefined;
    }
    case 'subscript_expression': {
      const object = dottedName(node.childForFieldName('object'));
      const index = node.childForFieldName('index');
      if (object && index?.type === 'string') return `${object}.${stringValue(index)}`;
      return undefined;
    }
    case 'parenthesized_expression':
    case 'non_null_expression':
      return dottedName(node.namedChild(0));
    default:
      return undefined;
  }
}

/** The value of a string literal (or a template string without substitutions), else undefined. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return node.text.slice(1, -1);
  if (node.type === 'template_string' && !node.namedChildren.some((c) => c.type === 'template_substitution')) {
    return node.text.slice(1, -1);
  }
  return undefined;
}

/** Skips parentheses and TypeScript-only wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (
      [
        'parenthesized_expression',
        'non_null_expression',
        'as_expression',
        'satisfies_expression',
        'type_assertion',
      ].includes(current.type)
    ) {
      const inner = current.namedChildren.find((c) => !c.type.includes('type'));
      if (!inner) return current;
      current = inner;
    } else if (current.type === 'await_expression') {
      const inner = current.namedChild(0);
      if (!inner) return current;
      current = inner;
    } else {
      return current;
    }
  }
}

/** The arguments of a call; none for a tagged template (`sql\`…\``), whose substitutions are parameters. */
export function callArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type === 'template_string') return [];
  return args.namedChildren.filter((c) => c.type !== 'comment');
}

export function enclosingFunction(node: Node): Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (FUNCTION_TYPES.has(current.type)) return current;
  }
  return null;
}

/** The identifiers a binding pattern introduces. */
export function patternNames(pattern: Node): string[] {
  switch (pattern.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      return [pattern.text];
    case 'object_pattern':
    case 'array_pattern':
      return pattern.namedChildren.flatMap(patternNames);
    case 'pair_pattern': {
      const value = pattern.childForFieldName('value');
      return value ? patternNames(value) : [];
    }
    case 'assignment_pattern':
    case 'object_assignment_pattern': {
      const left = pattern.childForFieldName('left');
      return left ? patternNames(left) : [];
    }
    case 'rest_pattern':
      return pattern.namedChildren.flatMap(patternNames);
    case 'required_parameter':
    case 'optional_parameter': {
      const inner = pattern.childForFieldName('pattern');
      return inner ? patternNames(inner) : [];
    }
    default:
      return [];
  }
}

/** The name a function is exported under (`exports.x = fn`, `export const x = fn`, `export function x`), if any. */
export function exportedName(fn: Node): string | undefined {
  const parent = fn.parent;
  if (!parent) return undefined;
  if (parent.type === 'assignment_expression') {
    const left = dottedName(parent.childForFieldName('left'));
    const match = left ? /^(?:module\.)?exports\.([\w$]+)$/.exec(left) : null;
    return match?.[1];
  }
  if (parent.type === 'variable_declarator' && parent.parent?.parent?.type === 'export_statement')
    return parent.childForFieldName('name')?.text;
  if (fn.type === 'function_declaration' && parent.type === 'export_statement')
    return fn.childForFieldName('name')?.text;
  return undefined;
}

/** The parameters of a function, arrow function or method. */
export function functionParameters(fn: Node): Node[] {
  const params = fn.childForFieldName('parameters');
  if (params) return params.namedChildren.filter((c) => c.type !== 'comment');
  const single = fn.childForFieldName('parameter');
  return single ? [single] : [];
}

/** The expressions a function returns (an arrow function's body expression). */
export function returnedExpressions(fn: Node): Node[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  if (body.type !== 'statement_block') return [body];
  return body
    .descendantsOfType('return_statement')
    .filter((r) => enclosingFunction(r)?.id === fn.id)
    .map((r) => r.namedChild(0))
    .filter((r): r is Node => r !== null);
}
