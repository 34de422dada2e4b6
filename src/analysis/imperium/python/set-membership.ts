import type { Node } from 'web-tree-sitter';
import type { ImperiumRule, RuleMatch } from '../rule.js';
import { isPlainString, isRebound } from './scope.js';

/** Literals whose hash agrees with their equality: strings, bytes, numbers, booleans, None, tuples of them. */
function isHashableLiteral(node: Node): boolean {
  switch (node.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
    case 'concatenated_string':
      return isPlainString(node, { bytes: true });
    case 'unary_operator':
      return ['integer', 'float'].includes(node.childForFieldName('argument')?.type ?? '');
    case 'parenthesized_expression':
      return node.namedChildren.length === 1 && isHashableLiteral(node.namedChildren[0]!);
    case 'tuple':
      return node.namedChildren.every((child) => child.type !== 'comment' && isHashableLiteral(child));
    default:
      return false;
  }
}

/** Builtins whose result is an int or str, so hashable with ordinary equality. */
const HASHABLE_RESULTS = new Set(['str', 'int', 'len', 'ord', 'chr', 'repr', 'hex', 'oct', 'bin', 'ascii', 'bool']);

/** Whether the searched value is provably hashable (a set lookup raises TypeError for an unhashable one). */
function isHashableValue(context: Parameters<ImperiumRule['check']>[0], node: Node): boolean {
  if (isHashableLiteral(node) || node.type === 'string') return true;
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    return callee?.type === 'identifier' && HASHABLE_RESULTS.has(callee.text) && !isRebound(context, callee.text);
  }
  return false;
}

export const setMembershipRule: ImperiumRule = {
  id: 'py.set-membership',
  title: '`x in [literals]` → `x in {literals}`',
  languages: ['python'],
  impact: 'performance',
  confidence: 0.75,
  suggestOnly: false,
  explanation:
    'Membership in a set literal of constants is a hash lookup (CPython stores it as a frozenset constant) ' +
    'instead of a scan of every element; the gain grows with the number of elements.',
  precondition:
    'Every element is a hashable literal (str/bytes without interpolation, int, float, bool, None, tuples of ' +
    'them), the list is not empty, and the searched value is provably hashable — a literal or a call of ' +
    'str/int/len/ord/chr/repr/hex/oct/bin/ascii/bool not rebound in the file. Otherwise reported only: an ' +
    'unhashable value (a list, a dict, an object defining __eq__ without __hash__) makes the set version raise TypeError.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const comparison of context.ofType('comparison_operator')) {
      const operands = comparison.namedChildren.filter((child) => child.type !== 'comment');
      const operators = comparison.children.filter((child) => !child.isNamed);
      if (operands.length !== 2 || operators.length !== 1) continue;
      if (!['in', 'not in'].includes(operators[0]!.type)) continue;
      const [value, container] = operands as [Node, Node];
      if (container.type !== 'list' && container.type !== 'tuple') continue;
      if (!/^[([][\s\S]*[)\]]$/.test(container.text)) continue;
      const elements = container.namedChildren.filter((child) => child.type !== 'comment');
      if (elements.length === 0 || !elements.every(isHashableLiteral)) continue;
      if (!isHashableValue(context, value)) {
        matches.push({
          node: comparison,
          explanation:
            'Membership in a literal list of constants could use a set, but the searched value is not provably ' +
            'hashable: if it can be a list, dict or an object without __hash__, the set version raises TypeError.',
        });
        continue;
      }
      const last = container.text.length - 1;
      matches.push({
        node: comparison,
        edits: [
          { start: container.startIndex, end: container.startIndex + 1, replacement: '{' },
          { start: container.startIndex + last, end: container.endIndex, replacement: '}' },
        ],
      });
    }
    return matches;
  },
};
