import type { Node } from 'web-tree-sitter';
import { isJavaScriptFamily, type Language } from '../../languages.js';

/** A constant string in the code: its node, its text between the quotes, and the name it is assigned to. */
export interface StringLiteral {
  readonly node: Node;
  readonly value: string;
  /** the variable, property, keyword or parameter that receives the string, when there is one */
  readonly target?: AssignmentTarget | undefined;
}

export interface AssignmentTarget {
  readonly name: string;
  /**
   * how the string is used: assigned (a fix can read the value from elsewhere), compared, or passed as the
   * password parameter of a login call
   */
  readonly kind: 'assignment' | 'comparison' | 'argument';
  /** TypeScript: the declaration has a type annotation */
  readonly typed: boolean;
}

/**
 * The text between the quotes. Templates with substitutions and Python f-strings with interpolations are
 * not constants and answer undefined.
 */
function constantValue(node: Node, language: Language): string | undefined {
  if (isJavaScriptFamily(language)) {
    if (node.type === 'template_string' && node.children.some((child) => child?.type === 'template_substitution'))
      return undefined;
    return node.text.slice(1, -1);
  }
  if (node.children.some((child) => child?.type === 'interpolation')) return undefined;
  const start = node.children[0];
  const end = node.children.at(-1);
  if (start?.type !== 'string_start' || end?.type !== 'string_end') return undefined;
  return node.text.slice(start.endIndex - node.startIndex, end.startIndex - node.startIndex);
}

/** `"key"` → `key`; an identifier's own text. */
function keyName(node: Node | null, language: Language): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return constantValue(node, language);
  if (
    ['identifier', 'property_identifier', 'private_property_identifier', 'shorthand_property_identifier'].includes(
      node.type,
    )
  )
    return node.text.replace(/^#/, '');
  return undefined;
}

/** The name a JavaScript assignment target stands for: `x`, `obj.x`, `obj["x"]`. */
function targetName(node: Node | null, language: Language): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'member_expression':
      return keyName(node.childForFieldName('property'), language);
    case 'subscript_expression':
      return keyName(node.childForFieldName('index'), language);
    case 'attribute':
      return keyName(node.childForFieldName('attribute'), language);
    case 'subscript':
      return keyName(node.childForFieldName('subscript'), language);
    default:
      return undefined;
  }
}

const WRAPPERS = new Set([
  'parenthesized_expression',
  'concatenated_string',
  'as_expression',
  'satisfies_expression',
  'non_null_expression',
]);

const COMPARISONS = new Set(['==', '===', '!=', '!==']);

/**
 * Calls whose positional parameter at this index is a password: `login(user, password)` of smtplib, ftplib,
 * imaplib and most client libraries, and the basic-authentication helpers.
 */
const PASSWORD_PARAMETER: Readonly<Record<string, number>> = {
  login: 1,
  HTTPBasicAuth: 1,
  HTTPDigestAuth: 1,
  BasicAuth: 1,
  HTTPProxyAuth: 1,
  auth: 1,
};

/** Whether `child` is the node in `parent`'s field. */
const isField = (parent: Node, field: string, child: Node) => {
  const value = parent.childForFieldName(field);
  return value !== null && value.startIndex === child.startIndex && value.endIndex === child.endIndex;
};

function assignmentTarget(literal: Node, language: Language): AssignmentTarget | undefined {
  let node = literal;
  let parent = node.parent;
  while (parent && WRAPPERS.has(parent.type)) {
    node = parent;
    parent = node.parent;
  }
  if (!parent) return undefined;
  const assigned = (name: string | undefined, typed = false): AssignmentTarget | undefined =>
    name ? { name, kind: 'assignment', typed } : undefined;
  switch (parent.type) {
    // JavaScript, TypeScript
    case 'variable_declarator':
      return isField(parent, 'value', node)
        ? assigned(keyName(parent.childForFieldName('name'), language), parent.childForFieldName('type') !== null)
        : undefined;
    case 'assignment_expression':
    case 'augmented_assignment_expression':
      return isField(parent, 'right', node)
        ? assigned(targetName(parent.childForFieldName('left'), language))
        : undefined;
    case 'assignment_pattern':
      return isField(parent, 'right', node) ? assigned(keyName(parent.childForFieldName('left'), language)) : undefined;
    case 'public_field_definition':
    case 'field_definition': {
      if (!isField(parent, 'value', node)) return undefined;
      const name = parent.childForFieldName('name') ?? parent.childForFieldName('property');
      return assigned(keyName(name, language), parent.childForFieldName('type') !== null);
    }
    case 'jsx_attribute': {
      const name = parent.children[0];
      return name && name.startIndex !== node.startIndex ? assigned(keyName(name, language)) : undefined;
    }
    case 'pair':
      return isField(parent, 'value', node) ? assigned(keyName(parent.childForFieldName('key'), language)) : undefined;
    case 'binary_expression': {
      const operator = parent.childForFieldName('operator')?.type;
      if (!operator || !COMPARISONS.has(operator)) return undefined;
      const other = isField(parent, 'left', node)
        ? parent.childForFieldName('right')
        : parent.childForFieldName('left');
      const name = targetName(other, language);
      return name ? { name, kind: 'comparison', typed: false } : undefined;
    }
    case 'arguments':
    case 'argument_list': {
      const index = parent.namedChildren.findIndex((child) => child?.startIndex === node.startIndex);
      const call = parent.parent;
      const callee = call?.childForFieldName('function') ?? call?.childForFieldName('constructor');
      const method = callee ? (callee.text.split('.').pop() ?? '') : '';
      return Object.hasOwn(PASSWORD_PARAMETER, method) && PASSWORD_PARAMETER[method] === index
        ? { name: 'password', kind: 'argument', typed: false }
        : undefined;
    }
    // Python
    case 'assignment':
      return isField(parent, 'right', node)
        ? assigned(targetName(parent.childForFieldName('left'), language), parent.childForFieldName('type') !== null)
        : undefined;
    case 'keyword_argument':
    case 'default_parameter':
    case 'typed_default_parameter':
      return isField(parent, 'value', node) ? assigned(keyName(parent.childForFieldName('name'), language)) : undefined;
    case 'comparison_operator': {
      if (!parent.children.some((child) => child?.type === '==' || child?.type === '!=')) return undefined;
      const other = parent.namedChildren.find((child) => child && child.startIndex !== node.startIndex);
      const name = targetName(other ?? null, language);
      return name ? { name, kind: 'comparison', typed: false } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every constant string in the tree, found without recursion (tree-sitter collects them natively), so
 * deeply nested code cannot exhaust the stack.
 */
export function stringLiterals(root: Node, language: Language): StringLiteral[] {
  const types = isJavaScriptFamily(language) ? ['string', 'template_string'] : ['string'];
  const literals: StringLiteral[] = [];
  for (const node of root.descendantsOfType(types)) {
    if (!node) continue;
    const value = constantValue(node, language);
    if (value === undefined) continue;
    literals.push({ node, value, target: assignmentTarget(node, language) });
  }
  return literals;
}
