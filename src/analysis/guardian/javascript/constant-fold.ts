// Constant folding for the JavaScript taint analysis: the value of an expression built from literals and names
// bound to them, so that a branch whose condition is a constant (`7 * 18 + num > 200 ? 'safe' : param`) is
// known not to run. The same shapes as the Python folding (python/constant-fold.ts), in JavaScript's spelling.
import type { Node } from 'web-tree-sitter';
import { stringValue } from './syntax.js';

export type Constant = number | string | boolean | null | undefined;

/** A folded value, or `unknown` (a wrapper, since `undefined` is itself a JavaScript constant). */
export type Folded = { readonly value: Constant } | undefined;

/** How a name is folded: its value when a single constant binding reaches the use, else undefined. */
export type NameFolder = (name: Node) => Folded;

const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '**': (a, b) => a ** b,
};

const COMPARISONS: Readonly<Record<string, (a: Constant, b: Constant) => boolean>> = {
  '===': (a, b) => a === b,
  '!==': (a, b) => a !== b,
  // loose equality only between values of one type (and null/undefined), where it is strict equality
  '==': (a, b) => a === b || (a == null && b == null),
  '!=': (a, b) => !(a === b || (a == null && b == null)),
  '<': (a, b) => a! < b!,
  '<=': (a, b) => a! <= b!,
  '>': (a, b) => a! > b!,
  '>=': (a, b) => a! >= b!,
};

export const truthy = (value: Constant) =>
  value !== null && value !== undefined && value !== false && value !== 0 && value !== '' && !Number.isNaN(value);

const known = (value: Constant): Folded => ({ value });

/** The constant value of an expression, or undefined when it is not one this folding knows. */
export function fold(node: Node | null | undefined, names: NameFolder, depth = 0): Folded {
  if (!node || depth > 12) return undefined;
  const next = (child: Node | null | undefined) => fold(child, names, depth + 1);
  switch (node.type) {
    case 'number': {
      const value = Number(node.text.replaceAll('_', ''));
      return Number.isFinite(value) ? known(value) : undefined;
    }
    case 'true':
      return known(true);
    case 'false':
      return known(false);
    case 'null':
      return known(null);
    case 'undefined':
      return known(undefined);
    case 'string':
      return node.text.includes('\\') ? undefined : known(stringValue(node));
    case 'template_string': {
      // `${A}-${B}` of constants is a constant
      let text = '';
      for (const child of node.children) {
        if (!child) continue;
        if (child.type === 'string_fragment') text += child.text;
        else if (child.type === 'template_substitution') {
          const inner = next(child.namedChild(0));
          if (!inner) return undefined;
          text += String(inner.value);
        } else if (child.type === 'escape_sequence') return undefined;
      }
      return known(text);
    }
    case 'identifier':
      return node.text === 'undefined' ? known(undefined) : names(node);
    case 'parenthesized_expression':
      return next(node.namedChild(0));
    case 'unary_expression': {
      const operator = node.childForFieldName('operator')?.text;
      const argument = next(node.childForFieldName('argument'));
      if (!argument) return undefined;
      if (operator === '!') return known(!truthy(argument.value));
      if (operator === '-' && typeof argument.value === 'number') return known(-argument.value);
      if (operator === '+' && typeof argument.value === 'number') return argument;
      if (operator === 'typeof') return known(argument.value === null ? 'object' : typeof argument.value);
      return undefined;
    }
    case 'binary_expression': {
      const operator = node.childForFieldName('operator')?.text ?? '';
      const left = next(node.childForFieldName('left'));
      if (!left) return undefined;
      // short circuits decide on the left alone
      if (operator === '&&') return truthy(left.value) ? next(node.childForFieldName('right')) : left;
      if (operator === '||') return truthy(left.value) ? left : next(node.childForFieldName('right'));
      if (operator === '??') return left.value == null ? next(node.childForFieldName('right')) : left;
      const right = next(node.childForFieldName('right'));
      if (!right) return undefined;
      const [a, b] = [left.value, right.value];
      if (operator === '+') {
        if (typeof a === 'string' || typeof b === 'string') return known(String(a) + String(b));
        return typeof a === 'number' && typeof b === 'number' ? known(a + b) : undefined;
      }
      const arithmetic = ARITHMETIC[operator];
      if (arithmetic) return typeof a === 'number' && typeof b === 'number' ? known(arithmetic(a, b)) : undefined;
      const compare = COMPARISONS[operator];
      if (!compare) return undefined;
      const loose = operator.length === 2 && (operator === '==' || operator === '!=');
      if (typeof a !== typeof b && !(loose && a == null && b == null) && !['===', '!=='].includes(operator))
        return undefined;
      return known(compare(a, b));
    }
    case 'ternary_expression': {
      const condition = next(node.childForFieldName('condition'));
      if (!condition) return undefined;
      return next(node.childForFieldName(truthy(condition.value) ? 'consequence' : 'alternative'));
    }
    case 'subscript_expression': {
      // `'ABC'[1]`: a character of a constant string
      const value = next(node.childForFieldName('object'));
      const index = next(node.childForFieldName('index'));
      if (typeof value?.value !== 'string' || typeof index?.value !== 'number') return undefined;
      return index.value >= 0 && index.value < value.value.length ? known(value.value[index.value]) : undefined;
    }
    case 'member_expression': {
      if (node.childForFieldName('property')?.text !== 'length') return undefined;
      const value = next(node.childForFieldName('object'));
      return typeof value?.value === 'string' ? known(value.value.length) : undefined;
    }
    default:
      return undefined;
  }
}
