import type { Node } from 'web-tree-sitter';
import { children, descendants, stringValue } from './ast.js';

/**
 * Allow-list and validation checks that cut a taint flow in Python: the code after
 * `if x not in ALLOWED: return|raise|abort(…)` (or `if not valid(x): …`), and the body of `if x in ALLOWED:`
 * / `if valid(x):` / `if x == CONSTANT:`, provided the variable is not rebound in between. Also the path
 * prefix checks after normalising: `p = (BASE / name).resolve()` then `if not p.is_relative_to(BASE): raise`.
 */

const VALIDATOR = /^(is_|valid|validate|check_)|(^|_)(allowed|valid|safe)(_|$)|^(fullmatch|match)$/;
const PATH_CHECKS = new Set(['startswith', 'is_relative_to', 'relative_to']);

/** The operator tokens of a comparison (`in`, `not in`, `==`…). */
function operators(comparison: Node): string[] {
  return comparison.children.flatMap((c) => (c && !c.isNamed ? [c.text] : []));
}

/** Whether the expression is the variable itself (or an attribute of it). */
const isName = (node: Node | undefined, name: string) =>
  node !== undefined && (node.text === name || (node.type === 'attribute' && node.text.startsWith(`${name}.`)));

/**
 * A check of the variable, and whether it holds when the value is accepted (`x in ALLOWED`, `valid(x)`,
 * `x == "a"`) or when it is rejected (`x not in ALLOWED`, `not valid(x)`).
 */
function check(condition: Node, name: string, scope?: Node): 'accepts' | 'rejects' | undefined {
  if (condition.type === 'parenthesized_expression') return check(children(condition)[0]!, name, scope);
  // `ok = is_safe_url(x)` then `if ok:`: the flag holds the check's outcome
  if (condition.type === 'identifier' && scope) {
    const flag = flagValue(condition, scope);
    return flag && !rebound(scope, name, flag.endIndex, condition.startIndex) ? check(flag, name) : undefined;
  }
  if (condition.type === 'not_operator') {
    const inner = condition.childForFieldName('argument');
    const result = inner ? check(inner, name, scope) : undefined;
    return result === 'accepts' ? 'rejects' : result === 'rejects' ? 'accepts' : undefined;
  }
  if (condition.type === 'boolean_operator') {
    const operator = condition.childForFieldName('operator')?.text;
    const sides = [condition.childForFieldName('left'), condition.childForFieldName('right')]
      .filter((n): n is Node => n !== null)
      .map((side) => check(side, name, scope));
    // `a and accepts(x)` accepts; `a or rejects(x)` rejects
    if (operator === 'and' && sides.includes('accepts')) return 'accepts';
    if (operator === 'or' && sides.includes('rejects')) return 'rejects';
    return undefined;
  }
  if (foreignOrigin(condition, name)) return 'rejects';
  if (condition.type === 'comparison_operator') {
    const [left, right] = children(condition);
    const ops = operators(condition);
    if (ops.length === 1 && left && right && foreignOrigin(left, name)) {
      // `urlparse(url).netloc not in ALLOWED_HOSTS` / `!= ""` leave for other hosts
      const empty = stringValue(right) === '';
      if (ops[0] === 'not in' || (ops[0] === '!=' && empty) || (ops[0] === '==' && !empty)) return 'rejects';
      if (ops[0] === 'in' || (ops[0] === '==' && empty) || (ops[0] === '!=' && !empty)) return 'accepts';
    }
    if (ops.length !== 1 || !isName(left, name) || !right) return undefined;
    if (ops[0] === 'in' || ops[0] === '==') return 'accepts';
    if (ops[0] === 'not in' || ops[0] === '!=') return 'rejects';
    return undefined;
  }
  if (condition.type === 'call') {
    const callee = condition.childForFieldName('function');
    const method =
      callee?.type === 'attribute'
        ? callee.childForFieldName('attribute')?.text
        : callee?.type === 'identifier'
          ? callee.text
          : undefined;
    const args = children(condition.childForFieldName('arguments') ?? condition)
      .filter((a) => a.type !== 'comment')
      .map((a) => (a.type === 'keyword_argument' ? (a.childForFieldName('value') ?? a) : a));
    const receiver = callee?.type === 'attribute' ? (callee.childForFieldName('object') ?? undefined) : undefined;
    if (!method) return undefined;
    if (PATH_CHECKS.has(method) && isName(receiver, name)) return 'accepts';
    if (VALIDATOR.test(method) && args.some((arg) => isName(arg, name))) return 'accepts';
  }
  return undefined;
}

/**
 * Whether an `if` without `elif`/`else` rebinds the variable exactly when a check rejects its value
 * (`if not url_has_allowed_host_and_scheme(x, …): x = "/"`): the value that falls through was accepted.
 */
export function replacedWhenRejected(statement: Node, name: string, scope: Node): boolean {
  if (children(statement).some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) return false;
  const condition = statement.childForFieldName('condition');
  return condition !== null && check(condition, name, scope) === 'rejects';
}

/** The value last assigned to a flag variable before its use in a condition, in the same scope. */
function flagValue(flag: Node, scope: Node): Node | undefined {
  let value: Node | undefined;
  for (const assignment of descendants(scope, (n) => n.type === 'assignment')) {
    if (assignment.endIndex > flag.startIndex) break;
    if (assignment.childForFieldName('left')?.text === flag.text)
      value = assignment.childForFieldName('right') ?? undefined;
  }
  return value;
}

/** `urlparse(x).netloc` (or `.scheme`, `.hostname`): true when the URL names a host of its own. */
function foreignOrigin(node: Node, name: string): boolean {
  if (node.type !== 'attribute') return false;
  if (!['netloc', 'scheme', 'hostname'].includes(node.childForFieldName('attribute')?.text ?? '')) return false;
  const parsed = node.childForFieldName('object');
  if (parsed?.type !== 'call') return false;
  const callee = parsed.childForFieldName('function')?.text ?? '';
  const args = children(parsed.childForFieldName('arguments') ?? parsed);
  return /(^|\.)(urlparse|urlsplit)$/.test(callee) && args.some((arg) => isName(arg, name));
}

const EXITS = new Set(['return_statement', 'raise_statement', 'continue_statement', 'break_statement']);

/** Whether a block always leaves: its last statement returns/raises, or calls `abort(…)`. */
function exits(block: Node): boolean {
  const last = children(block)
    .filter((c) => c.type !== 'comment')
    .at(-1);
  if (!last) return false;
  if (EXITS.has(last.type)) return true;
  const call = last.type === 'expression_statement' ? children(last)[0] : undefined;
  const callee = call?.type === 'call' ? call.childForFieldName('function')?.text : undefined;
  return callee !== undefined && /(^|\.)(abort|exit|_exit|fail)$/.test(callee);
}

/** Whether the variable is bound again between two offsets of the scope (the check then no longer applies). */
function rebound(scope: Node, name: string, from: number, to: number): boolean {
  return descendants(scope, (n) => n.type === 'assignment' || n.type === 'augmented_assignment').some(
    (a) => a.startIndex > from && a.endIndex < to && a.childForFieldName('left')?.text === name,
  );
}

/** Whether a check dominates this use of the variable, bound at `bound` in `scope`. */
export function guardedUse(use: Node, name: string, bound: number, scope: Node): boolean {
  // `if check(x): … use(x) …`
  let child = use;
  for (let at = use.parent; at && at.id !== scope.id; child = at, at = at.parent) {
    if (at.type === 'if_statement' && at.startIndex >= bound) {
      const condition = at.childForFieldName('condition');
      const consequence = at.childForFieldName('consequence');
      if (condition && consequence?.id === child.id && check(condition, name, scope) === 'accepts') return true;
    }
    if (at.type === 'conditional_expression') {
      const [consequence, condition] = children(at);
      if (consequence?.id === child.id && condition && check(condition, name, scope) === 'accepts') return true;
    }
  }
  // `if not check(x): raise …` before the use
  return descendants(scope, (n) => n.type === 'if_statement').some((statement) => {
    if (statement.startIndex < bound || statement.endIndex > use.startIndex) return false;
    const condition = statement.childForFieldName('condition');
    const consequence = statement.childForFieldName('consequence');
    if (!condition || !consequence || !exits(consequence) || check(condition, name, scope) !== 'rejects') return false;
    return !rebound(scope, name, statement.endIndex, use.startIndex);
  });
}

/** `p.relative_to(BASE)` as a statement of its own raises when `p` leaves `BASE`. */
export function relativeToChecked(scope: Node, name: string, from: number, to: number): boolean {
  return descendants(scope, (n) => n.type === 'call').some((call) => {
    if (call.startIndex < from || call.endIndex > to) return false;
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.text !== name) return false;
    const method = callee.childForFieldName('attribute')?.text ?? '';
    return method === 'relative_to' && call.parent?.type === 'expression_statement';
  });
}
