// Constant folding for the Python taint analysis: the value of an expression built from literals and names
// bound to them, so that a branch whose condition is a constant (`"safe" if 7 * 18 + num > 200 else param`)
// is known not to run.
import type { Node } from 'web-tree-sitter';
import { children, stringValue } from './ast.js';

export type Constant = number | string | boolean | null;

/** How a name is folded: its value when a single constant binding reaches the use, else undefined. */
export type NameFolder = (name: Node) => Constant | undefined;

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number | undefined>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '//': (a, b) => (b === 0 ? undefined : Math.floor(a / b)),
  '%': (a, b) => (b === 0 ? undefined : ((a % b) + b) % b),
};

const COMPARISONS: Readonly<Record<string, (a: Constant, b: Constant) => boolean>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a! < b!,
  '<=': (a, b) => a! <= b!,
  '>': (a, b) => a! > b!,
  '>=': (a, b) => a! >= b!,
};

export const truthy = (value: Constant) => value !== null && value !== false && value !== 0 && value !== '';

/** The constant value of an expression, or undefined when it is not one this folding knows. */
export function fold(node: Node | null | undefined, names: NameFolder, depth = 0): Constant | undefined {
  if (!node || depth > 12) return undefined;
  const next = (child: Node | null | undefined) => fold(child, names, depth + 1);
  switch (node.type) {
    case 'integer':
      return /^\d+$/.test(node.text) ? Number(node.text) : undefined;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'none':
      return null;
    case 'string':
      return stringValue(node);
    case 'identifier':
      return names(node);
    case 'parenthesized_expression':
      return next(children(node)[0]);
    case 'unary_operator': {
      const value = next(node.childForFieldName('argument'));
      const operator = node.childForFieldName('operator')?.text;
      return typeof value === 'number' && operator === '-' ? -value : operator === '+' ? value : undefined;
    }
    case 'not_operator': {
      const value = next(node.childForFieldName('argument'));
      return value === undefined ? undefined : !truthy(value);
    }
    case 'binary_operator': {
      const left = next(node.childForFieldName('left'));
      const right = next(node.childForFieldName('right'));
      const operator = node.childForFieldName('operator')?.text ?? '';
      if (typeof left === 'string' && typeof right === 'string' && operator === '+') return left + right;
      if (typeof left !== 'number' || typeof right !== 'number') return undefined;
      return ARITHMETIC[operator]?.(left, right);
    }
    case 'comparison_operator': {
      const operands = children(node);
      const operators = node.children.filter((c) => c && !c.isNamed).map((c) => c.text);
      if (operands.length !== 2 || operators.length !== 1) return undefined;
      const [left, right] = operands.map(next);
      const compare = COMPARISONS[operators[0]!];
      if (left === undefined || right === undefined || !compare) return undefined;
      if (typeof left !== typeof right && !['==', '!='].includes(operators[0]!)) return undefined;
      return compare(left, right);
    }
    case 'boolean_operator': {
      const left = next(node.childForFieldName('left'));
      if (left === undefined) return undefined;
      const operator = node.childForFieldName('operator')?.text;
      if (operator === 'and') return truthy(left) ? next(node.childForFieldName('right')) : left;
      return truthy(left) ? left : next(node.childForFieldName('right'));
    }
    case 'subscript': {
      // `"ABC"[1]`: a character of a constant string
      const value = next(node.childForFieldName('value'));
      const index = next(node.childForFieldName('subscript'));
      if (typeof value !== 'string' || typeof index !== 'number') return undefined;
      const at = index < 0 ? value.length + index : index;
      return at >= 0 && at < value.length ? value[at] : undefined;
    }
    default:
      return undefined;
  }
}
