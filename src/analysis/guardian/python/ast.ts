import type { Node } from 'web-tree-sitter';

/** Small helpers over tree-sitter-python trees shared by the taint engine and the rules. */

export function children(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** Every node of the subtree (pre-order) that satisfies the predicate. */
export function descendants(root: Node, predicate: (node: Node) => boolean): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (predicate(node)) found.push(node);
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  return found;
}

export function callsIn(root: Node): Node[] {
  return descendants(root, (node) => node.type === 'call');
}

/** The innermost enclosing function definition, or undefined at module level. */
export function enclosingFunction(node: Node): Node | undefined {
  for (let at = node.parent; at; at = at.parent) if (at.type === 'function_definition') return at;
  return undefined;
}

/** `a.b.c` for an identifier/attribute chain, undefined for anything else. */
export function dottedName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = dottedName(node.childForFieldName('object'));
    const attribute = node.childForFieldName('attribute');
    return object && attribute ? `${object}.${attribute.text}` : undefined;
  }
  return undefined;
}

/** Import aliases of a module: local name → fully qualified name. */
export function importAliases(root: Node): Map<string, string> {
  const found = new Map<string, string>();
  for (const statement of descendants(
    root,
    (node) => node.type === 'import_statement' || node.type === 'import_from_statement',
  )) {
    // `try: from secrets import randbits` / `except ImportError: from random import getrandbits as randbits`:
    // the fallback in the `except` clause only binds the name where the first import fails
    const fallback = isImportFallback(statement);
    const aliases = {
      set: (name: string, value: string) => (fallback && found.has(name) ? 0 : found.set(name, value)),
    };
    if (statement.type === 'import_statement') {
      for (const item of children(statement)) {
        if (item.type === 'dotted_name') aliases.set(item.text.split('.')[0]!, item.text.split('.')[0]!);
        else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) aliases.set(alias, name);
        }
      }
    } else {
      const module = statement.childForFieldName('module_name')?.text;
      if (!module) continue;
      for (const item of statement.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'dotted_name') aliases.set(item.text, `${module}.${item.text}`);
        else if (item.type === 'aliased_import') {
          const name = item.childForFieldName('name')?.text;
          const alias = item.childForFieldName('alias')?.text;
          if (name && alias) aliases.set(alias, `${module}.${name}`);
        }
      }
    }
  }
  return found;
}

/** Whether an import is in the `except` clause of a `try` statement (a fallback for a failed import). */
function isImportFallback(statement: Node): boolean {
  for (let at = statement.parent; at; at = at.parent) {
    if (at.type === 'except_clause') return true;
    if (at.type === 'function_definition' || at.type === 'class_definition' || at.type === 'try_statement')
      return false;
  }
  return false;
}

/** The qualified name of a dotted expression, with its first component resolved through the imports. */
export function qualifiedName(node: Node | null | undefined, aliases: ReadonlyMap<string, string>): string | undefined {
  const dotted = dottedName(node);
  if (!dotted) return undefined;
  const [head, ...rest] = dotted.split('.');
  const resolved = aliases.get(head!);
  return resolved ? [resolved, ...rest].join('.') : dotted;
}

export interface CallParts {
  readonly call: Node;
  readonly callee: Node;
  /** qualified callee name (imports resolved), undefined for computed callees */
  readonly name: string | undefined;
  /** last component of the callee (the method name for `obj.method()`) */
  readonly method: string | undefined;
  /** the receiver of a method call */
  readonly receiver: Node | undefined;
  readonly positional: readonly Node[];
  readonly keywords: ReadonlyMap<string, Node>;
}

export function callParts(call: Node, aliases: ReadonlyMap<string, string>): CallParts {
  const callee = call.childForFieldName('function')!;
  const args = call.childForFieldName('arguments');
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  if (args && args.type === 'argument_list') {
    for (const arg of children(args)) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) keywords.set(name, value);
      } else if (arg.type !== 'comment') positional.push(arg);
    }
  } else if (args) positional.push(args); // generator argument: f(x for x in y)
  const method =
    callee.type === 'attribute'
      ? callee.childForFieldName('attribute')?.text
      : callee.type === 'identifier'
        ? callee.text
        : undefined;
  return {
    call,
    callee,
    name: qualifiedName(callee, aliases),
    method,
    receiver: callee.type === 'attribute' ? (callee.childForFieldName('object') ?? undefined) : undefined,
    positional,
    keywords,
  };
}

/** The argument at a position, or the keyword argument of that name. */
export function argument(parts: CallParts, index: number, keyword?: string): Node | undefined {
  return (keyword ? parts.keywords.get(keyword) : undefined) ?? parts.positional[index];
}

export const isTrue = (node: Node | undefined) => node?.type === 'true';
export const isFalse = (node: Node | undefined) => node?.type === 'false';

/** The literal value of a plain (non-interpolated) string node, undefined otherwise. */
export function stringValue(node: Node | undefined | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'concatenated_string') {
    const parts = children(node).map(stringValue);
    return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  if (children(node).some((child) => child.type === 'interpolation')) return undefined;
  return children(node)
    .filter((child) => child.type === 'string_content' || child.type === 'escape_sequence')
    .map((child) => child.text)
    .join('');
}

/** The leading constant text of a string-building expression (`f"https://x/{y}"` → `https://x/`). */
export function leadingConstant(node: Node | undefined | null): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'parenthesized_expression':
      return leadingConstant(children(node)[0]);
    case 'string': {
      let text = '';
      for (const child of children(node)) {
        if (child.type === 'interpolation') return text;
        if (child.type === 'string_content' || child.type === 'escape_sequence') text += child.text;
      }
      return text;
    }
    case 'concatenated_string':
      return leadingConstant(children(node)[0]);
    case 'binary_operator':
      return leadingConstant(node.childForFieldName('left'));
    case 'call': {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'format')
        return leadingConstant(callee.childForFieldName('object'));
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Whether the expression builds a string by formatting or concatenation. */
export function isStringBuilding(node: Node | undefined | null): boolean {
  if (!node) return false;
  if (node.type === 'parenthesized_expression') return isStringBuilding(children(node)[0]);
  if (node.type === 'string') return children(node).some((child) => child.type === 'interpolation');
  if (node.type === 'concatenated_string') return children(node).some(isStringBuilding);
  if (node.type === 'binary_operator') {
    const operator = node.childForFieldName('operator')?.text;
    return operator === '+' || operator === '%';
  }
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    return callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'format';
  }
  return false;
}

/** The names a parameter list binds, with each parameter's default value when it has one. */
export function parameters(fn: Node): { name: string; node: Node; defaultValue?: Node }[] {
  const list = fn.childForFieldName('parameters');
  if (!list) return [];
  const result: { name: string; node: Node; defaultValue?: Node }[] = [];
  for (const param of children(list)) {
    let nameNode: Node | null | undefined;
    let defaultValue: Node | null | undefined;
    switch (param.type) {
      case 'identifier':
        nameNode = param;
        break;
      case 'typed_parameter':
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
        nameNode = children(param).find((child) => child.type === 'identifier');
        break;
      case 'default_parameter':
      case 'typed_default_parameter':
        nameNode = param.childForFieldName('name');
        defaultValue = param.childForFieldName('value');
        break;
      default:
        break;
    }
    if (nameNode) result.push({ name: nameNode.text, node: param, ...(defaultValue ? { defaultValue } : {}) });
  }
  return result;
}

/** The decorators of a function definition (their expressions, without `@`). */
export function decorators(fn: Node): Node[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return children(parent)
    .filter((child) => child.type === 'decorator')
    .map((decorator) => children(decorator)[0])
    .filter((expression): expression is Node => expression !== undefined);
}

const ROUTE_METHODS = new Set([
  'route',
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'api_route',
  'websocket',
]);

/** Whether a function is a web handler: decorated `@app.route(...)`, `@router.get(...)`, `@bp.post(...)`… */
export function isRouteHandler(fn: Node): boolean {
  return decorators(fn).some((decorator) => {
    const callee = decorator.type === 'call' ? decorator.childForFieldName('function') : decorator;
    return callee?.type === 'attribute' && ROUTE_METHODS.has(callee.childForFieldName('attribute')?.text ?? '');
  });
}

const LAMBDA_HANDLER_NAMES = new Set(['handler', 'lambda_handler']);

/**
 * Whether a function is an AWS Lambda handler, whose first parameter is the client's event: a module-level
 * function taking exactly `(event, context)`, or one named `handler`/`lambda_handler` taking two parameters.
 */
export function isLambdaHandler(fn: Node): boolean {
  const parent = fn.parent?.type === 'decorated_definition' ? fn.parent.parent : fn.parent;
  if (parent?.type !== 'module') return false;
  const params = parameters(fn);
  if (params.length !== 2 || params.some((p) => !['identifier', 'typed_parameter'].includes(p.node.type))) return false;
  if (params[0]!.name === 'event' && /^_?context$/.test(params[1]!.name)) return true;
  return LAMBDA_HANDLER_NAMES.has(fn.childForFieldName('name')?.text ?? '');
}
