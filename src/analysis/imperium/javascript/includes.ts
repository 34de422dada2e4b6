import type { Node } from 'web-tree-sitter';
import type { EngineContext, ImperiumRule, RuleMatch } from '../rule.js';
import { JS_LANGUAGES, soleConstant } from './scope.js';

const unwrap = (node: Node | null): Node | null =>
  node?.type === 'parenthesized_expression' ? unwrap(node.namedChildren[0] ?? null) : node;

const isMinusOne = (node: Node | null) => {
  const value = unwrap(node);
  return (
    value?.type === 'unary_expression' &&
    value.childForFieldName('operator')?.type === '-' &&
    value.childForFieldName('argument')?.text === '1'
  );
};
const isZero = (node: Node | null) => unwrap(node)?.type === 'number' && unwrap(node)?.text === '0';

/** `found` for comparisons meaning "present", `missing` for "absent", keyed by operator and literal side. */
function meaning(
  operator: string,
  literal: 'minus-one' | 'zero',
  indexOnLeft: boolean,
): 'found' | 'missing' | undefined {
  if (literal === 'minus-one') {
    if (['!==', '!='].includes(operator)) return 'found';
    if (['===', '=='].includes(operator)) return 'missing';
    if (operator === (indexOnLeft ? '>' : '<')) return 'found';
    return undefined;
  }
  if (operator === (indexOnLeft ? '>=' : '<=')) return 'found';
  if (operator === (indexOnLeft ? '<' : '>')) return 'missing';
  return undefined;
}

type Kind = 'array' | 'string';

/** What the value is at run time when that can be read off the code: a literal, or a constant bound to one. */
function kindOf(context: EngineContext, node: Node | null, depth = 0): Kind | undefined {
  const value = unwrap(node);
  if (!value || depth > 3) return undefined;
  if (value.type === 'array') return 'array';
  if (value.type === 'string' || value.type === 'template_string') return 'string';
  if (value.type === 'identifier') {
    const declarator = soleConstant(context, value.text);
    return declarator ? kindOf(context, declarator.childForFieldName('value'), depth + 1) : undefined;
  }
  return undefined;
}

/**
 * Whether the searched value is a primitive literal that is not NaN and not undefined (where indexOf and
 * includes differ on arrays) and not a RegExp (which String.prototype.includes rejects).
 */
function isSafeNeedle(context: EngineContext, node: Node | null, depth = 0): boolean {
  const value = unwrap(node);
  if (!value || depth > 3) return false;
  if (['string', 'template_string', 'number', 'true', 'false', 'null'].includes(value.type)) return true;
  if (value.type === 'unary_expression') {
    return value.childForFieldName('operator')?.type === '-' && value.childForFieldName('argument')?.type === 'number';
  }
  if (value.type === 'identifier') {
    const declarator = soleConstant(context, value.text);
    return declarator ? isSafeNeedle(context, declarator.childForFieldName('value'), depth + 1) : false;
  }
  return false;
}

export const includesRule: ImperiumRule = {
  id: 'js.prefer-includes',
  title: '`indexOf(x) !== -1` → `includes(x)`',
  languages: JS_LANGUAGES,
  impact: 'maintainability',
  confidence: 0.85,
  suggestOnly: false,
  explanation: 'Comparing indexOf with -1 (or 0) tests membership; includes says so directly.',
  precondition:
    'The receiver is an array or string literal, or a constant bound once in the file to one; the searched value ' +
    'is a primitive literal other than NaN/undefined (or a constant bound to one); one argument, no optional ' +
    'chaining. Otherwise reported only: includes finds NaN and array holes where indexOf does not, and throws ' +
    'for a RegExp on strings.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const binary of context.ofType('binary_expression')) {
      const operator = binary.childForFieldName('operator')?.type ?? '';
      const left = binary.childForFieldName('left');
      const right = binary.childForFieldName('right');
      for (const [call, literal, indexOnLeft] of [
        [left, right, true],
        [right, left, false],
      ] as const) {
        const found = unwrap(call);
        if (found?.type !== 'call_expression') continue;
        const callee = found.childForFieldName('function');
        if (callee?.type !== 'member_expression' || callee.childForFieldName('property')?.text !== 'indexOf') continue;
        if (
          callee.children.some((child) => child.type === 'optional_chain') ||
          found.childForFieldName('arguments')?.children.some((child) => child.type === 'optional_chain')
        )
          continue;
        const args =
          found.childForFieldName('arguments')?.namedChildren.filter((child) => child.type !== 'comment') ?? [];
        if (args.length !== 1 || args[0]!.type === 'spread_element') continue;
        const kind = isMinusOne(literal) ? 'minus-one' : isZero(literal) ? 'zero' : undefined;
        if (!kind) continue;
        const sense = meaning(operator, kind, indexOnLeft);
        if (!sense) continue;
        const receiver = callee.childForFieldName('object')!;
        const needle = args[0]!;
        if (!kindOf(context, receiver) || !isSafeNeedle(context, needle)) {
          matches.push({
            node: binary,
            explanation:
              'indexOf compared with -1 tests membership and could read as includes(), but the receiver is not ' +
              'provably an array or string, or the searched value could be NaN, undefined or a RegExp, where the ' +
              'two differ.',
          });
          break;
        }
        const replacement = `${sense === 'missing' ? '!' : ''}${receiver.text}.includes(${needle.text})`;
        matches.push({ node: binary, edits: [{ start: binary.startIndex, end: binary.endIndex, replacement }] });
        break;
      }
    }
    return matches;
  },
};
