// Syntax facts the Python taint analysis relies on: alternative branches and numeric printf formats.
import type { Node } from 'web-tree-sitter';
import { stringValue } from './ast.js';

export const BRANCHING = new Set(['if_statement', 'try_statement']);

/** Whether a child of an `if`/`try` statement is one of its alternative branches (not its condition or `finally`). */
export function isBranch(statement: Node, child: Node): boolean {
  if (child.type === 'elif_clause' || child.type === 'else_clause' || child.type === 'except_clause') return true;
  if (child.type !== 'block') return false;
  return statement.type === 'try_statement' || statement.childForFieldName('consequence')?.id === child.id;
}

/** Whether an `if` statement ends with an `else` clause, so that one of its branches always runs. */
export function hasElse(statement: Node): boolean {
  return statement.namedChildren.some((child) => child?.type === 'else_clause');
}

/** printf-style conversions (`%s`, `%(name)d`, `%-5.2f`, `%%`) and the numeric ones among them. */
const PRINTF_CONVERSION = /%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([a-zA-Z%])/g;

const NUMERIC_CONVERSIONS = new Set([...'diouxXeEfFgG']);

/** Whether `template % values` has a constant template whose every conversion is numeric. */
export function numericFormat(node: Node): boolean {
  if (node.childForFieldName('operator')?.text !== '%') return false;
  const template = stringValue(node.childForFieldName('left'));
  if (template === undefined) return false;
  const conversions = [...template.matchAll(PRINTF_CONVERSION)].map((m) => m[1]!).filter((c) => c !== '%');
  return conversions.length > 0 && conversions.every((c) => NUMERIC_CONVERSIONS.has(c));
}
