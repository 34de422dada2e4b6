import type { Node } from 'web-tree-sitter';

/**
 * Validation checks that cut a taint flow: allow-list membership (`ALLOWED.includes(x)`, `SET.has(x)`),
 * pattern tests (`/^\d+$/.test(x)`), validators (`validator.isUUID(x)`, `isValid(x)`), prefix checks
 * (`x.startsWith(BASE)`, `path.relative(BASE, x).startsWith('..')`) and equality with constants.
 *
 * A check guards the uses of a variable that it dominates: the code after `if (!check(x)) return|throw`,
 * the consequence of `if (check(x)) { … }` and of `check(x) ? x : fallback`. Written on tree-sitter nodes
 * only; the taint engine asks these questions for identifiers.
 */

const MEMBERSHIP = new Set(['includes', 'has', 'test', 'match', 'exec', 'some', 'every', 'hasOwnProperty']);
const RECEIVER_CHECKS = new Set(['startsWith', 'endsWith', 'includes', 'test', 'match']);
/** Receiver checks that, when true, mean the value has an expected shape (not `x.includes('..')`). */
const POSITIVE_RECEIVER_CHECKS = new Set(['startsWith', 'endsWith', 'match']);

/** The identifier a member chain starts from: `x.a.b` → `x`. */
function rootName(node: Node | null | undefined): string | undefined {
  let current = node;
  while (current) {
    if (current.type === 'identifier') return current.text;
    if (['member_expression', 'subscript_expression'].includes(current.type))
      current = current.childForFieldName('object');
    else if (['parenthesized_expression', 'non_null_expression', 'as_expression'].includes(current.type))
      current = current.namedChild(0);
    else return undefined;
  }
  return undefined;
}

/** Whether the expression mentions the variable (as an identifier, not as a property name). */
function mentions(node: Node, name: string): boolean {
  if (node.type === 'identifier') return node.text === name;
  return node.descendantsOfType('identifier').some((id) => id.text === name);
}

function calleeName(call: Node): { method: string; receiver: Node | null; full: string } {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'member_expression') {
    const method = callee.childForFieldName('property')?.text ?? '';
    const receiver = callee.childForFieldName('object');
    return { method, receiver, full: `${receiver?.text ?? ''}.${method}` };
  }
  return { method: callee?.text ?? '', receiver: null, full: callee?.text ?? '' };
}

const isValidatorName = (method: string, full: string) =>
  /^(is|validate|valid)[A-Z_]/.test(method) || method === 'isValid' || full.startsWith('validator.');

/** Whether a call checks the variable; `positive` asks for checks whose truth means the value is expected. */
function checksName(call: Node, name: string, positive: boolean): boolean {
  const { method, receiver, full } = calleeName(call);
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const argumentMentions = args.some((arg) => rootName(arg) === name);
  if ((MEMBERSHIP.has(method) || isValidatorName(method, full)) && argumentMentions) return true;
  const receiverChecks = positive ? POSITIVE_RECEIVER_CHECKS : RECEIVER_CHECKS;
  // `x.startsWith(BASE)`, and `path.relative(BASE, x).startsWith('..')` (the receiver is computed from x)
  return receiverChecks.has(method) && receiver !== null && mentions(receiver, name);
}

/** `x === 'a'`, `x == CONST`, `'a' === x` (a comparison of the variable itself with something else). */
function comparesName(node: Node, name: string): boolean {
  if (node.type !== 'binary_expression') return false;
  const operator = node.childForFieldName('operator')?.text ?? '';
  if (operator !== '===' && operator !== '==') return false;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  const isName = (side: Node | null) => side?.type === 'identifier' && side.text === name;
  const other = isName(left) ? right : isName(right) ? left : null;
  return other !== null && ['string', 'number', 'identifier', 'member_expression'].includes(other.type);
}

/** Whether the node's truth implies the condition's: only `&&` and parentheses lie between them. */
function conjunct(node: Node, condition: Node): boolean {
  for (let at: Node | null = node; at; at = at.parent) {
    if (at.id === condition.id) return true;
    const parent = at.parent;
    if (parent?.type === 'parenthesized_expression') continue;
    if (parent?.type === 'binary_expression' && parent.childForFieldName('operator')?.text === '&&') continue;
    return false;
  }
  return false;
}

/** A condition that holds only when the variable passed a check. */
function positivelyChecks(condition: Node, name: string): boolean {
  const candidates = [condition, ...condition.descendantsOfType(['call_expression', 'binary_expression'])];
  return candidates.some((node) => {
    if (!conjunct(node, condition)) return false;
    if (node.type === 'call_expression') return checksName(node, name, true);
    return comparesName(node, name);
  });
}

const EMPTY = new Set(['null', 'undefined', 'true', 'false']);

/** `x !== 'admin'`, `url.host != ALLOWED_HOST` (leaving when they differ means equality after). */
function rejectsDifferent(node: Node, name: string): boolean {
  if (node.type !== 'binary_expression') return false;
  const operator = node.childForFieldName('operator')?.text ?? '';
  if (operator !== '!==' && operator !== '!=') return false;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  const [mine, other] = rootName(left) === name ? [left, right] : rootName(right) === name ? [right, left] : [];
  if (!mine || !other || rootName(other) === name || other.type === 'unary_expression') return false;
  return !EMPTY.has(other.type) && !(other.type === 'string' && other.text.length <= 2);
}

/** A condition that contains any check of the variable (its polarity decided by the exit that follows). */
export function anyCheck(condition: Node, name: string): boolean {
  return (
    condition
      .descendantsOfType('call_expression')
      .some((call) => checksName(call, name, false) && !requiresSubstring(call, condition, name)) ||
    [condition, ...condition.descendantsOfType('binary_expression')].some(
      (node) => conjunctOrDisjunct(node, condition) && rejectsDifferent(node, name),
    )
  );
}

/** Whether a `!` lies between the node and the condition. */
function negated(node: Node, condition: Node): boolean {
  for (let at: Node | null = node; at && at.id !== condition.id; at = at.parent) {
    if (at.type === 'unary_expression' && at.childForFieldName('operator')?.text === '!') return true;
  }
  return false;
}

/**
 * `if (!url.includes(ALLOWED)) return`: leaving unless the value contains some text only makes it contain
 * that text somewhere, which any payload can (`https://evil.example/?https://good.example`), so it is no
 * validation. Leaving when it contains a text (`if (p.includes('..')) return`) is a deny-list and still counts.
 */
function requiresSubstring(call: Node, condition: Node, name: string): boolean {
  const { method, receiver } = calleeName(call);
  return method === 'includes' && receiver !== null && mentions(receiver, name) && negated(call, condition);
}

/** Whether only `&&`, `||` and parentheses lie between the node and the condition (no negation). */
function conjunctOrDisjunct(node: Node, condition: Node): boolean {
  for (let at: Node | null = node; at; at = at.parent) {
    if (at.id === condition.id) return true;
    const parent = at.parent;
    if (parent?.type === 'parenthesized_expression') continue;
    if (parent?.type === 'binary_expression' && ['&&', '||'].includes(parent.childForFieldName('operator')?.text ?? ''))
      continue;
    return false;
  }
  return false;
}

const exits = (statement: Node) =>
  ['return_statement', 'throw_statement', 'continue_statement', 'break_statement'].includes(statement.type) ||
  statement.descendantsOfType(['return_statement', 'throw_statement']).length > 0;

/** `if (!check(x)) return …` between `from` and `to` in the scope's body. */
export function exitGuarded(body: Node, name: string, from: number, to: number): boolean {
  return body.descendantsOfType('if_statement').some((statement) => {
    if (statement.startIndex < from || statement.endIndex > to) return false;
    const condition = statement.childForFieldName('condition');
    const consequence = statement.childForFieldName('consequence');
    if (!condition || !consequence || !exits(consequence)) return false;
    return anyCheck(condition, name);
  });
}

/**
 * Whether a use of the variable sits in the branch taken only after a check of it, with no rebinding in
 * between: `if (ALLOWED.has(x)) { use(x) }`, `check(x) ? x : fallback`. `bound` is where the variable's
 * latest binding takes effect.
 */
export function branchGuarded(use: Node, name: string, bound: number, scope: Node): boolean {
  let child = use;
  for (let at = use.parent; at && at.id !== scope.id; child = at, at = at.parent) {
    if (at.startIndex < bound) return false;
    if (at.type === 'if_statement') {
      const consequence = at.childForFieldName('consequence');
      const condition = at.childForFieldName('condition');
      if (consequence?.id === child.id && condition && positivelyChecks(condition, name)) return true;
    } else if (at.type === 'ternary_expression') {
      const consequence = at.childForFieldName('consequence');
      const condition = at.childForFieldName('condition');
      if (consequence?.id === child.id && condition && positivelyChecks(condition, name)) return true;
    }
  }
  return false;
}
