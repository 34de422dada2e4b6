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

const FUNCTION_TYPES = ['function_declaration', 'function_expression', 'arrow_function', 'method_definition'];
const localFunctions = new WeakMap<object, Map<string, Node>>();

/** The function of that name defined in the same file (declaration, `const f = (…) => …`, class method). */
function localFunction(call: Node, name: string): Node | undefined {
  const root = call.tree.rootNode;
  let table = localFunctions.get(call.tree);
  if (!table) {
    table = new Map();
    for (const node of root.descendantsOfType(['function_declaration', 'variable_declarator', 'method_definition'])) {
      const named = node.childForFieldName('name')?.text;
      const value = node.type === 'variable_declarator' ? node.childForFieldName('value') : node;
      if (named && value && FUNCTION_TYPES.includes(value.type) && !table.has(named)) table.set(named, value);
    }
    localFunctions.set(call.tree, table);
  }
  return table.get(name);
}

/** Methods that only find some text anywhere in a string. */
const SUBSTRING_METHODS = new Set(['includes', 'indexOf', 'lastIndexOf', 'search']);
const CASE_METHODS = new Set(['toLowerCase', 'toUpperCase', 'toLocaleLowerCase', 'trim']);

/** A regular expression literal that may match anywhere in the text (no leading `^`). */
function unanchoredRegex(node: Node | null | undefined): boolean {
  return node?.type === 'regex' && !(node.childForFieldName('pattern')?.text ?? '').startsWith('^');
}

/**
 * Whether this use of a parameter only looks for some text in it: `p.includes(x)`, `p.indexOf(x) !== -1`,
 * `p.match(/evil/)`, `/good/.test(p)`, also after `toLowerCase()`. `p.indexOf(x) === 0` is a prefix check.
 */
function substringUse(use: Node): boolean {
  let value = use;
  for (;;) {
    const member = value.parent;
    if (member?.type !== 'member_expression' || member.childForFieldName('object')?.id !== value.id) break;
    const method = member.childForFieldName('property')?.text ?? '';
    const call = member.parent;
    if (call?.type !== 'call_expression') return false;
    if (CASE_METHODS.has(method)) {
      value = call;
      continue;
    }
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    if (method === 'match' || method === 'matchAll') return unanchoredRegex(args[0]);
    if (!SUBSTRING_METHODS.has(method)) return false;
    const comparison = call.parent;
    if (method.endsWith('ndexOf') && comparison?.type === 'binary_expression') {
      const other =
        comparison.childForFieldName('left')?.id === call.id
          ? comparison.childForFieldName('right')
          : comparison.childForFieldName('left');
      if (other?.text === '0') return false; // `p.indexOf(prefix) === 0`
    }
    return true;
  }
  // `/text/.test(p)`
  const call = value.parent?.parent;
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
  return (
    value.parent?.type === 'arguments' &&
    callee?.type === 'member_expression' &&
    ['test', 'exec'].includes(callee.childForFieldName('property')?.text ?? '') &&
    unanchoredRegex(callee.childForFieldName('object'))
  );
}

/** The parameter's name at that position, when it is a plain identifier. */
function parameterName(fn: Node, position: number): string | undefined {
  const parameters = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const single = fn.childForFieldName('parameter');
  let parameter: Node | null | undefined = single && position === 0 ? single : parameters[position];
  if (parameter?.type === 'required_parameter' || parameter?.type === 'optional_parameter')
    parameter = parameter.childForFieldName('pattern');
  return parameter?.type === 'identifier' ? parameter.text : undefined;
}

/**
 * Whether a same-file function named like a validator does not validate the argument at `position`: it
 * returns `true` whatever it is given, or all it does with it is look for some text anywhere in it
 * (`url.includes(ALLOWED_HOST)` accepts `https://evil.example/?https://good.example`). Allow-list lookups,
 * anchored patterns, prefix checks and parsed-URL comparisons keep it trusted.
 */
function weakValidator(fn: Node, position: number): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  const returned =
    body.type === 'statement_block'
      ? body
          .descendantsOfType('return_statement')
          .filter((statement) => ownStatement(statement, fn))
          .map((statement) => statement.namedChild(0))
      : [body];
  if (returned.length > 0 && returned.every((value) => value?.type === 'true')) return true;
  const name = parameterName(fn, position);
  if (!name) return false;
  const uses = body.descendantsOfType('identifier').filter((id) => id.text === name);
  return uses.every(substringUse);
}

/** Whether the statement belongs to the function itself, not to a function nested in it. */
function ownStatement(statement: Node, fn: Node): boolean {
  for (let at = statement.parent; at; at = at.parent) {
    if (at.id === fn.id) return true;
    if (FUNCTION_TYPES.includes(at.type)) return false;
  }
  return false;
}

/** Whether a call checks the variable; `positive` asks for checks whose truth means the value is expected. */
function checksName(call: Node, name: string, positive: boolean): boolean {
  const { method, receiver, full } = calleeName(call);
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  const position = args.findIndex((arg) => rootName(arg) === name);
  if (MEMBERSHIP.has(method) && position >= 0) return true;
  if (isValidatorName(method, full) && position >= 0) {
    const local = receiver === null || receiver.type === 'this' ? localFunction(call, method) : undefined;
    return !local || !weakValidator(local, position);
  }
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

const CONSTANTS = new Set(['string', 'number', 'true', 'false', 'null']);

/**
 * `switch (x) { case 'a': case 'b': use(x) }`: in a case labelled with a constant, and reached only from such
 * cases (not by falling through from `default`), the variable is one of the constants.
 */
function constantCase(clause: Node, name: string): boolean {
  const value = clause.parent?.parent?.childForFieldName('value');
  const subject = value?.type === 'parenthesized_expression' ? value.namedChild(0) : value;
  if (subject?.type !== 'identifier' || subject.text !== name) return false;
  for (let at: Node | null = clause; at; at = at.previousNamedSibling) {
    if (at.type === 'switch_default') return false;
    if (at.type !== 'switch_case') continue;
    if (at.id !== clause.id && endsFlow(at)) return true;
    if (!CONSTANTS.has(at.childForFieldName('value')?.type ?? '')) return false;
  }
  return true;
}

/** Whether a case's statements end by leaving it (`break`, `return`, `throw`, `continue`). */
function endsFlow(clause: Node): boolean {
  const last = clause.namedChildren.filter((c) => c.type !== 'comment').at(-1);
  if (!last || last.id === clause.childForFieldName('value')?.id) return false;
  const statement = last.type === 'statement_block' ? last.namedChildren.at(-1) : last;
  return ['break_statement', 'return_statement', 'throw_statement', 'continue_statement'].includes(
    statement?.type ?? '',
  );
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
    } else if (at.type === 'switch_case' && at.childForFieldName('value')?.id !== child.id) {
      if (constantCase(at, name)) return true;
    } else if (at.type === 'ternary_expression') {
      const consequence = at.childForFieldName('consequence');
      const condition = at.childForFieldName('condition');
      if (consequence?.id === child.id && condition && positivelyChecks(condition, name)) return true;
    }
  }
  return false;
}
