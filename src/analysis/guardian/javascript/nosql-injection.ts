import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { enclosingFunction, stringValue, unwrap } from './syntax.js';
import { type TaintAnalysis } from './taint.js';
import { callArguments, calleeOf, calleeParts, callsIn, defineRule, propertyOf } from './util.js';

const NOSQL_METHODS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'replaceOne',
  'countDocuments',
  'count',
  'where',
  'aggregate',
]);

/** Calls whose result is a primitive (a string or a number), which cannot carry query operators. */
const PRIMITIVE_CALLS = new Set([
  'String',
  'Number',
  'Boolean',
  'parseInt',
  'parseFloat',
  'Number.parseInt',
  'Number.parseFloat',
  'encodeURIComponent',
  'escape',
]);

const STRING_METHODS = new Set([
  'toString',
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'slice',
  'substring',
  'substr',
  'padStart',
  'padEnd',
  'normalize',
  'toFixed',
]);

/**
 * Whether a filter value is certainly a primitive: operator injection (`{"$ne": ""}`) needs an object, so a
 * value coerced with `String(x)`/`Number(x)`, built by a template or concatenation, or checked with
 * `typeof x === 'string'` before use cannot inject.
 */
function primitiveValue(value: Node, taint: TaintAnalysis): boolean {
  const target = taint.resolve(value);
  if (['string', 'number', 'template_string', 'true', 'false', 'null'].includes(target.type)) return true;
  if (target.type === 'binary_expression') return target.childForFieldName('operator')?.text !== '??';
  if (target.type === 'call_expression') {
    const { full, method } = calleeParts(target);
    return PRIMITIVE_CALLS.has(full) || STRING_METHODS.has(method);
  }
  return typeChecked(value, target);
}

/** `if (typeof x !== 'string') return …` before the use, for the expression's text. */
function typeChecked(use: Node, value: Node): boolean {
  const scope = enclosingFunction(use);
  if (!scope) return false;
  const texts = new Set([unwrap(use).text, value.text]);
  return scope.descendantsOfType('unary_expression').some((unary) => {
    if (unary.startIndex > use.startIndex || unary.childForFieldName('operator')?.text !== 'typeof') return false;
    const operand = unary.childForFieldName('argument');
    return operand !== null && texts.has(unwrap(operand).text);
  });
}

/** Operators whose operand is compared as a value, so an object there cannot change the query. */
const VALUE_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$size']);

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);

/** The filter values that can inject operators: request data placed directly as a field's value. */
function injectableValues(filter: Node, taint: TaintAnalysis, depth = 0): Node[] {
  const found: Node[] = [];
  if (depth > 4) return found;
  for (const pair of filter.namedChildren) {
    if (pair.type === 'shorthand_property_identifier') {
      if (taint.isTainted(pair) && !primitiveValue(pair, taint)) found.push(pair);
      continue;
    }
    if (pair.type === 'spread_element') {
      if (taint.isTainted(pair)) found.push(pair);
      continue;
    }
    if (pair.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const keyText = key?.type === 'string' ? stringValue(key) : key?.text;
    const value = pair.childForFieldName('value');
    if (!value) continue;
    const target = unwrap(value);
    if (keyText && LOGICAL_OPERATORS.has(keyText) && target.type === 'array') {
      for (const item of target.namedChildren)
        if (unwrap(item).type === 'object') found.push(...injectableValues(unwrap(item), taint, depth + 1));
        else if (taint.isTainted(item)) found.push(item);
      continue;
    }
    if (keyText && VALUE_OPERATORS.has(keyText)) continue;
    if (target.type === 'object') {
      // `{ field: { $gt: x } }`: operators are compared values; a plain sub-document is matched literally
      const operators = target.namedChildren.some(
        (p) => p.type === 'pair' && p.childForFieldName('key')?.text.includes('$'),
      );
      if (operators) found.push(...injectableValues(target, taint, depth + 1));
      continue;
    }
    if (taint.isTainted(target) && !primitiveValue(target, taint)) found.push(target);
  }
  return found;
}

/** A receiver that is a DOM or jQuery/cheerio selection, whose `find` is not a database query. */
function domSelection(receiver: Node | null): boolean {
  if (!receiver) return false;
  const root = unwrap(receiver);
  const callee = root.type === 'call_expression' ? root.childForFieldName('function')?.text : undefined;
  return callee === '$' || callee === 'jQuery' || callee === 'cheerio' || root.text.startsWith('$(');
}

/**
 * The legacy MongoDB-style `update(filter, { $set: … })` (old driver, monk, NeDB, mongojs), recognised by an
 * update document whose keys are `$` operators, so that Sequelize's `Model.update(values, { where })` and
 * `hash.update(data)` are not taken for it.
 */
function legacyMongoUpdate(call: Node, method: string): boolean {
  if (method !== 'update') return false;
  const second = callArguments(call)[1];
  const document = second ? unwrap(second) : undefined;
  return (
    document?.type === 'object' &&
    document.namedChildren.some(
      (pair) => pair.type === 'pair' && /^['"]?\$/.test(pair.childForFieldName('key')?.text ?? ''),
    )
  );
}

/** Whether a query filter lets request data inject operators (or runs code of its own with `$where`). */
export function judgeFilter(
  first: Node,
  taint: TaintAnalysis,
): { confidence: 'high' | 'medium'; message?: string } | undefined {
  const filter = taint.resolve(first);
  if (filter.type === 'object') {
    const where = propertyOf(filter, '$where') ?? propertyOf(filter, '$function') ?? propertyOf(filter, '$expr');
    if (where) {
      const level = taint.level(where);
      if (level === 'safe') return undefined;
      return {
        confidence: level === 'tainted' ? 'high' : 'medium',
        message: '`$where` runs JavaScript on the database server.',
      };
    }
    return injectableValues(filter, taint).length > 0 ? { confidence: 'high' } : undefined;
  }
  if (
    !['call_expression', 'string', 'template_string', 'arrow_function', 'function_expression'].includes(filter.type) &&
    taint.isTainted(first) &&
    !primitiveValue(first, taint)
  )
    return { confidence: 'high' };
  if (filter.type === 'call_expression' && calleeParts(filter).full === 'JSON.parse' && taint.isTainted(first))
    return { confidence: 'high' };
  return undefined;
}

export const nosqlInjection: Rule = defineRule({
  id: 'js.nosql-injection',
  issueType: 'nosql_injection',
  cwe: 'CWE-943',
  severity: 'high',
  message: 'Database filter built from request data: query operators such as `$ne` or `$where` can be injected.',
  remediation:
    'Cast each field to the expected primitive type (`String(x)`, `Number(x)`), reject objects, or use a schema validator; never pass request objects as filters or use `$where`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const callee = calleeOf(call);
      if (callee?.type !== 'member_expression') continue;
      const method = callee.childForFieldName('property')?.text ?? '';
      if (
        !(NOSQL_METHODS.has(method) || legacyMongoUpdate(call, method)) ||
        domSelection(callee.childForFieldName('object'))
      )
        continue;
      const first = callArguments(call)[0];
      const judged = first ? judgeFilter(first, taint) : undefined;
      if (judged) matches.push({ node: call, ...judged });
    }
    return matches;
  },
});
