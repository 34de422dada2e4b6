import type { Node } from 'web-tree-sitter';
import { FUNCTION_TYPES, stringValue, unwrap } from './syntax.js';
import { callArguments, calleeParts } from './util.js';

/**
 * Shapes of code that pollute `Object.prototype` whatever the origin of their input, because they are library
 * code fed from elsewhere: recursive merges that descend into the target under every key of the source, and
 * path setters that walk an object along the parts of a path. A key `__proto__` (own key of any object made
 * by `JSON.parse`) makes the merge descend into `Object.prototype`, and the walker step onto it.
 */

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const OWN_CHECKS = new Set(['hasOwn', 'hasOwnProperty', 'propertyIsEnumerable']);
/** Helper names that by convention vet keys: `isSafeKey(k)`, `isPrototypePolluted(k)`, `FORBIDDEN.has(k)`. */
const KEY_VETTING = /proto|safe|forbid|danger|unsafe|block|black|reserved|allow|white|valid|illegal/i;
const LOOPS = new Set(['for_in_statement', 'for_statement', 'while_statement', 'do_statement']);
const ITERATING_CALLS = new Set(['forEach', 'map', 'some', 'every', 'reduce', 'filter', 'find']);

const named = (node: Node | null | undefined, name: string) => node?.type === 'identifier' && node.text === name;

/** The identifiers a function body mentions as whole expressions. */
function mentions(node: Node, name: string): boolean {
  return named(node, name) || node.descendantsOfType('identifier').some((id) => id.text === name);
}

/**
 * Whether a scope vets keys before writing: mentions `__proto__`/`constructor`/`prototype`, writes into
 * prototype-less objects, asks a key-vetting helper about the key, or checks that the key is an own property
 * of `owner` (the object the code descends into) — an own-property check of the source alone is no guard,
 * since `JSON.parse('{"__proto__": …}')` makes `__proto__` an own key.
 */
function vetsKeys(scope: Node, key: string, owner: string | undefined): boolean {
  for (const node of scope.descendantsOfType(['string', 'call_expression', 'member_expression'])) {
    if (node.type === 'string') {
      if (PROTOTYPE_KEYS.has(stringValue(node) ?? '')) return true;
      continue;
    }
    if (node.type !== 'call_expression') continue;
    const { full, object, method } = calleeParts(node);
    const args = callArguments(node);
    if (full === 'Object.create' && args[0]?.type === 'null') return true;
    if (full === 'Object.setPrototypeOf' && args[1]?.type === 'null') return true;
    // `owner.hasOwnProperty(k)`, `Object.hasOwn(owner, k)`, `hasOwn(owner, k)`,
    // `Object.prototype.hasOwnProperty.call(owner, k)`
    const ownCheck = OWN_CHECKS.has(method) || (method === 'call' && OWN_CHECKS.has(object.split('.').pop() ?? ''));
    if (ownCheck) {
      if (owner === undefined) return true;
      const checked = object === 'Object' || object === '' || method === 'call' ? args[0] : undefined;
      if (checked ? unwrap(checked).text === owner : object === owner) return true;
      continue;
    }
    if (args.some((arg) => named(unwrap(arg), key)) && KEY_VETTING.test(full)) return true;
  }
  return false;
}

/** The function's own name: `function f`, `const f = () => …`, `f = function () …`, a method name. */
function functionName(fn: Node): string | undefined {
  const own = fn.childForFieldName('name');
  if (own) return own.text;
  const parent = fn.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'assignment_expression') return parent.childForFieldName('left')?.text.split('.').pop();
  if (parent?.type === 'pair') return parent.childForFieldName('key')?.text;
  return undefined;
}

const ENUMERATIONS = /^(Object\.(keys|entries|getOwnPropertyNames)|Reflect\.ownKeys)$/;

/** Loops over the keys of an object, with the key variable and the code run per key. */
function keyLoops(scope: Node): { key: string; body: Node }[] {
  const loops: { key: string; body: Node }[] = [];
  const keyOf = (pattern: Node | null | undefined) =>
    pattern?.type === 'identifier'
      ? pattern.text
      : pattern?.type === 'array_pattern' && pattern.namedChildren[0]?.type === 'identifier'
        ? pattern.namedChildren[0].text
        : undefined;
  for (const loop of scope.descendantsOfType('for_in_statement')) {
    const left = loop.childForFieldName('left');
    const right = loop.childForFieldName('right');
    const body = loop.childForFieldName('body');
    if (!right || !body) continue;
    const isOf = loop.children.some((child) => child?.type === 'of');
    const enumeration = unwrap(right).type === 'call_expression' && ENUMERATIONS.test(calleeParts(unwrap(right)).full);
    if (isOf && !enumeration) continue;
    const key = keyOf(left);
    if (key) loops.push({ key, body });
  }
  for (const call of scope.descendantsOfType('call_expression')) {
    const { method } = calleeParts(call);
    if (method !== 'forEach' && method !== 'map' && method !== 'reduce') continue;
    const receiver = unwrap(call.childForFieldName('function')?.childForFieldName('object') ?? call);
    if (receiver.type !== 'call_expression' || !ENUMERATIONS.test(calleeParts(receiver).full)) continue;
    const callback = callArguments(call)[0];
    if (!callback || !FUNCTION_TYPES.has(callback.type)) continue;
    const parameters = callback.childForFieldName('parameters');
    const first = parameters?.namedChildren[method === 'reduce' ? 1 : 0] ?? callback.childForFieldName('parameter');
    const key = keyOf(first?.type === 'required_parameter' ? first.childForFieldName('pattern') : first);
    const body = callback.childForFieldName('body');
    if (key && body) loops.push({ key, body });
  }
  return loops;
}

/** `object[key]` where key is the named variable. */
function keyed(node: Node | null | undefined, key: string): Node | undefined {
  const target = node ? unwrap(node) : undefined;
  return target?.type === 'subscript_expression' && named(unwrap(target.childForFieldName('index')!), key)
    ? target
    : undefined;
}

const FRESH = new Set(['object', 'array']);

/**
 * Recursive merges: a function that loops over the keys of an object, recurses into `target[key]` and writes
 * `target[key] = …`. Answers the function and its write (the copy of a value, else the first write).
 */
export function recursiveMerges(root: Node): { fn: Node; write: Node; name: string }[] {
  const found: { fn: Node; write: Node; name: string }[] = [];
  for (const fn of root.descendantsOfType([...FUNCTION_TYPES])) {
    const name = functionName(fn);
    const body = fn.childForFieldName('body');
    if (!name || !body) continue;
    const recursions = body
      .descendantsOfType('call_expression')
      .filter((call) => calleeParts(call).method === name && ['', 'this'].includes(calleeParts(call).object));
    if (recursions.length === 0) continue;
    for (const { key, body: loopBody } of keyLoops(body)) {
      // only loops of this function, not of nested functions
      const writes = loopBody.descendantsOfType('assignment_expression').filter((a) => {
        const left = keyed(a.childForFieldName('left'), key);
        return left?.childForFieldName('object')?.type === 'identifier';
      });
      // `Object.assign(target, { [key]: … })` writes like `target[key] = …`
      const assigns = loopBody
        .descendantsOfType('call_expression')
        .filter((call) => calleeParts(call).full === 'Object.assign' && callArguments(call)[0]?.type === 'identifier');
      const writtenObject = (write: Node) =>
        write.type === 'call_expression'
          ? callArguments(write)[0]!.text
          : write.childForFieldName('left')!.childForFieldName('object')!.text;
      const targets = new Set([...writes, ...assigns].map(writtenObject));
      // the recursion descends into the target: `merge(target[key], source[key])`
      const descended = [...targets].find((target) =>
        recursions.some(
          (call) =>
            loopBody.startIndex <= call.startIndex &&
            call.endIndex <= loopBody.endIndex &&
            callArguments(call).some((arg) =>
              [unwrap(arg), ...unwrap(arg).descendantsOfType('subscript_expression')].some(
                (part) => keyed(part, key)?.childForFieldName('object')?.text === target,
              ),
            ),
        ),
      );
      if (!descended) continue;
      if (vetsKeys(body, key, descended)) continue;
      const ownWrites = [...writes, ...assigns].filter((write) => writtenObject(write) === descended);
      const right = (write: Node) => unwrap(write.childForFieldName('right')!);
      // `target[key] || {}` makes room to descend; the copy of a value is the write that pollutes
      const makesRoom = (value: Node) =>
        FRESH.has(value.type) ||
        (value.type === 'binary_expression' && FRESH.has(unwrap(value.childForFieldName('right')!).type));
      const copy =
        ownWrites.find((write) => write.type === 'call_expression' || !makesRoom(right(write))) ??
        ownWrites.find((write) => !FRESH.has(right(write).type)) ??
        ownWrites[0];
      if (copy) {
        found.push({ fn, write: copy, name });
        break;
      }
    }
  }
  return found;
}

/** Whether the node runs once per element: in a loop, or in a callback of `forEach`/`reduce`/… */
function repeated(node: Node, scope: Node): boolean {
  for (let at = node.parent; at && at.id !== scope.id; at = at.parent) {
    if (LOOPS.has(at.type)) return true;
    if (FUNCTION_TYPES.has(at.type)) {
      const call = at.parent?.parent;
      if (call?.type === 'call_expression' && ITERATING_CALLS.has(calleeParts(call).method)) return true;
      return false;
    }
  }
  return false;
}

/** Names that count elements rather than name keys: `for (let i = 0; …)` counters and `forEach` indexes. */
function counters(scope: Node): Set<string> {
  const names = new Set<string>();
  for (const loop of scope.descendantsOfType('for_statement')) {
    const init = loop.childForFieldName('initializer');
    for (const declarator of init?.descendantsOfType('variable_declarator') ?? []) {
      const name = declarator.childForFieldName('name')?.text;
      if (name) names.add(name);
    }
  }
  for (const call of scope.descendantsOfType('call_expression')) {
    const method = calleeParts(call).method;
    if (method !== 'forEach' && method !== 'map') continue;
    const callback = callArguments(call)[0];
    const index = callback?.childForFieldName('parameters')?.namedChildren[1];
    const name = index?.type === 'required_parameter' ? index.childForFieldName('pattern')?.text : index?.text;
    if (name) names.add(name);
  }
  return names;
}

/**
 * Path setters: in a loop, `node = node[part]` (or `node = node[part] || (node[part] = {})`, `??=`), and a write
 * `node[k] = value` through the walked variable. The key is a name, not an element counter. Answers the write
 * (the step when no write follows it).
 */
export function pathSetters(root: Node): Node[] {
  const found: Node[] = [];
  for (const fn of root.descendantsOfType([...FUNCTION_TYPES])) {
    const body = fn.childForFieldName('body');
    if (!body) continue;
    const steps = new Map<string, { step: Node; key: string }>();
    const ownAssignments = body
      .descendantsOfType(['assignment_expression', 'augmented_assignment_expression'])
      .filter((a) => {
        for (let at = a.parent; at; at = at.parent) {
          if (at.id === fn.id) return true;
          if (FUNCTION_TYPES.has(at.type) && !repeatedCallback(at)) return false;
        }
        return false;
      });
    let countersOfFn: Set<string> | undefined;
    for (const assignment of ownAssignments) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier' || !right || steps.has(left.text)) continue;
      const value = unwrap(right);
      const read =
        value.type === 'binary_expression' && ['||', '??'].includes(value.childForFieldName('operator')?.text ?? '')
          ? unwrap(value.childForFieldName('left')!)
          : value.type === 'assignment_expression' || value.type === 'augmented_assignment_expression'
            ? unwrap(value.childForFieldName('left')!)
            : value;
      if (read.type !== 'subscript_expression' || !named(read.childForFieldName('object'), left.text)) continue;
      const index = unwrap(read.childForFieldName('index')!);
      const key =
        index.type === 'identifier'
          ? index.text
          : index.type === 'subscript_expression' && index.childForFieldName('object')?.type === 'identifier'
            ? index.childForFieldName('object')!.text
            : undefined;
      if (!key || !repeated(assignment, fn)) continue;
      countersOfFn ??= counters(body);
      if (index.type === 'identifier' && countersOfFn.has(key)) continue;
      steps.set(left.text, { step: assignment, key });
    }
    for (const step of reduceSetters(body))
      if (!found.some((other) => other.id === step.id) && !vetsKeys(body, '', undefined)) found.push(step);
    for (const [walker, { step, key }] of steps) {
      const write = ownAssignments.find((a) => {
        const left = a.childForFieldName('left');
        if (left?.type !== 'subscript_expression' || !named(left.childForFieldName('object'), walker)) return false;
        const right = a.childForFieldName('right');
        return right !== null && !FRESH.has(unwrap(right).type);
      });
      if (!write || vetsKeys(body, key, walker)) continue;
      if (!mentions(body, key)) continue;
      // reported where the walked object is written (the step only reaches `Object.prototype`)
      found.push(write.startIndex > step.startIndex ? write : step);
    }
  }
  return found;
}

/** A callback run per element (`parts.forEach((part) => …)`), which belongs to the enclosing function. */
function repeatedCallback(fn: Node): boolean {
  const call = fn.parent?.parent;
  return call?.type === 'call_expression' && ITERATING_CALLS.has(calleeParts(call).method);
}

/**
 * `path.split('.').reduce((node, part) => (node[part] = node[part] || {}), obj)`: a reduce whose callback
 * creates `node[part]` and steps onto it. Reading along a path (`(node, part) => node[part]`) writes nothing and
 * building a lookup (`(map, k) => { map[k] = true; return map; }`) does not step.
 */
function reduceSetters(body: Node): Node[] {
  const found: Node[] = [];
  for (const call of body.descendantsOfType('call_expression')) {
    if (calleeParts(call).method !== 'reduce') continue;
    const callback = callArguments(call)[0];
    if (!callback || callback.type !== 'arrow_function') continue;
    const parameters = callback.childForFieldName('parameters')?.namedChildren ?? [];
    const nameOf = (p: Node | undefined) =>
      (p?.type === 'required_parameter' ? p.childForFieldName('pattern') : p)?.text;
    const accumulator = nameOf(parameters[0]);
    const part = nameOf(parameters[1]);
    const result = callback.childForFieldName('body');
    if (!accumulator || !part || !result) continue;
    const returned =
      result.type === 'statement_block'
        ? result
            .descendantsOfType('return_statement')
            .map((r) => r.namedChildren[0])
            .filter((r) => r !== undefined)
        : [result];
    const stepsOnto = (node: Node): boolean => {
      const value = unwrap(node);
      if (value.type === 'assignment_expression' || value.type === 'augmented_assignment_expression')
        return stepsOnto(value.childForFieldName('left')!);
      if (value.type === 'binary_expression') return stepsOnto(value.childForFieldName('left')!);
      return (
        value.type === 'subscript_expression' &&
        named(value.childForFieldName('object'), accumulator) &&
        named(unwrap(value.childForFieldName('index')!), part)
      );
    };
    const creates = callback
      .descendantsOfType(['assignment_expression', 'augmented_assignment_expression'])
      .some((a) => {
        const left = a.childForFieldName('left');
        return left?.type === 'subscript_expression' && named(left.childForFieldName('object'), accumulator);
      });
    if (creates && returned.some((r) => r !== null && stepsOnto(r))) found.push(call);
  }
  return found;
}
