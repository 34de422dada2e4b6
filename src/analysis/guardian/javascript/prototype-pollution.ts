import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { pathSetters, recursiveMerges } from './prototype.js';
import { enclosingFunction, FUNCTION_TYPES, stringValue } from './syntax.js';
import { type TaintAnalysis } from './taint.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleConstants } from './util.js';

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether code defends against prototype keys: compares with or rejects `__proto__`/`constructor`, checks own
 * properties (`hasOwn`, `hasOwnProperty`), or writes into prototype-less objects (`Object.create(null)`).
 */
function defendsPrototype(scope: Node): boolean {
  for (const node of scope.descendantsOfType(['string', 'call_expression', 'member_expression'])) {
    if (node.type === 'string' && PROTOTYPE_KEYS.has(stringValue(node) ?? '')) return true;
    if (node.type === 'member_expression') {
      const property = node.childForFieldName('property')?.text ?? '';
      if (['hasOwn', 'hasOwnProperty', 'propertyIsEnumerable'].includes(property)) return true;
    }
    if (node.type === 'call_expression' && calleeParts(node).full === 'Object.create') {
      if (callArguments(node)[0]?.type === 'null') return true;
    }
  }
  return false;
}

/** Deep-merge functions of libraries: lodash/underscore, deepmerge, jQuery's `$.extend(true, …)`. */
function libraryMerge(call: Node, localFunctions: ReadonlySet<string>): Node[] | undefined {
  const { full, object, method } = calleeParts(call);
  const args = callArguments(call);
  if (!object && localFunctions.has(method)) return undefined; // judged by its body below
  if (['extend'].includes(method) && ['$', 'jQuery'].includes(object)) {
    return args[0]?.type === 'true' ? args.slice(2) : undefined;
  }
  if (!['merge', 'mergeWith', 'defaultsDeep', 'deepmerge', 'deepMerge', 'set', 'setWith', 'all'].includes(method))
    return undefined;
  if (!/^(_|lodash|deepmerge|deepMerge|merge|defaultsDeep|mergeWith)(\.|$)/.test(full)) return undefined;
  return method === 'set' || method === 'setWith' ? args.slice(1, 2) : args.slice(1);
}

/**
 * `for (…) node = node[part]` followed by `node[key] = value`: walking an object along keys from the request
 * reaches `Object.prototype` through `__proto__`, and the final write pollutes it.
 */
function pathWalks(scope: Node, taint: TaintAnalysis): Node[] {
  const found: Node[] = [];
  const walkers = new Set<string>();
  for (const assignment of scope.descendantsOfType('assignment_expression')) {
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    const steps = [right, ...right.descendantsOfType('subscript_expression')].filter(
      (node) => node.type === 'subscript_expression' && node.childForFieldName('object')?.text === left.text,
    );
    let inLoop = false;
    for (let at = assignment.parent; at && !FUNCTION_TYPES.has(at.type); at = at.parent)
      if (['for_in_statement', 'for_statement', 'while_statement', 'do_statement'].includes(at.type)) inLoop = true;
    if (inLoop && steps.some((step) => taint.level(step.childForFieldName('index')!) !== 'safe'))
      walkers.add(left.text);
  }
  for (const assignment of scope.descendantsOfType('assignment_expression')) {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'subscript_expression') continue;
    const object = left.childForFieldName('object');
    const index = left.childForFieldName('index');
    if (object?.type === 'identifier' && walkers.has(object.text) && index && taint.isTainted(index))
      found.push(assignment);
  }
  return found;
}

export const prototypePollution: Rule = defineRule({
  id: 'js.prototype-pollution',
  issueType: 'prototype_pollution',
  cwe: 'CWE-1321',
  severity: 'high',
  message: 'Properties written under keys controlled by the request: `__proto__` keys can change every object.',
  remediation:
    'Reject `__proto__`, `constructor` and `prototype` keys, use `Object.create(null)` or a `Map` for dynamic keys, and avoid deep-merging request objects.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = assignment.childForFieldName('left');
      if (left?.type !== 'subscript_expression') continue;
      const inner = left.childForFieldName('object');
      if (inner?.type !== 'subscript_expression') continue;
      const outerKey = left.childForFieldName('index');
      const innerKey = inner.childForFieldName('index');
      if (!outerKey || !innerKey) continue;
      const levels = [taint.level(innerKey), taint.level(outerKey)];
      if (levels.includes('safe')) continue;
      // `this[kState][key] = v` with kState a module constant (an imported symbol, say): the first key is the
      // program's, so it can never be `__proto__`
      if (!levels.includes('tainted') && innerKey.type === 'identifier' && moduleConstants(root).has(innerKey.text))
        continue;
      if (defendsPrototype(enclosingFunction(assignment) ?? root)) continue;
      matches.push({ node: assignment, confidence: levels.includes('tainted') ? 'high' : 'medium' });
    }
    for (const assignment of pathWalks(root, taint)) {
      if (defendsPrototype(enclosingFunction(assignment) ?? root)) continue;
      matches.push({
        node: assignment,
        confidence: 'high',
        message: 'Object walked and written along keys from the request: `__proto__` reaches every object.',
      });
    }
    // recursive merges that descend into the target under every key, and path setters, whatever their input
    const reported = new Set(matches.map((match) => (enclosingFunction(match.node) ?? root).id));
    for (const { fn, write, name } of recursiveMerges(root)) {
      // reported where the merge writes; high when the file merges request data with it (`merge({}, req.body)`)
      const fed = callsIn(root).find(
        (call) =>
          calleeParts(call).full === name &&
          !(fn.startIndex <= call.startIndex && call.endIndex <= fn.endIndex) &&
          callArguments(call).some((arg) => taint.isTainted(arg)),
      );
      matches.push({
        node: write,
        confidence: fed ? 'high' : 'medium',
        message: fed
          ? `Recursive merge \`${name}\` of request data (line ${fed.startPosition.row + 1}) descends into the target under every key, \`__proto__\` included, and writes here: \`Object.prototype\` is polluted.`
          : `Recursive merge \`${name}\` descends into the target under every key, \`__proto__\` included, and writes here: merging a parsed object pollutes \`Object.prototype\`.`,
      });
    }
    for (const step of pathSetters(root)) {
      if (reported.has((enclosingFunction(step) ?? root).id)) continue;
      matches.push({
        node: step,
        confidence: 'medium',
        message:
          'Object walked along the parts of a path and then written: a `__proto__` part reaches `Object.prototype`.',
      });
    }
    const localFunctions = new Set<string>();
    for (const fn of root.descendantsOfType(['function_declaration'])) {
      const name = fn.childForFieldName('name')?.text;
      if (name) localFunctions.add(name);
    }
    for (const call of callsIn(root)) {
      const checked = libraryMerge(call, localFunctions);
      if (checked?.some((a) => taint.isTainted(a))) matches.push({ node: call, confidence: 'high' });
    }
    return matches;
  },
});
