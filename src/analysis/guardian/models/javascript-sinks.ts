// Reports the sinks of the JavaScript library models (models/javascript/*.json): a matched call whose checked
// argument carries request data (or a constant credential, or a weak random value, as the sink requires).
import type { Node } from 'web-tree-sitter';
import type { Confidence, RuleMatch } from '../finding.js';
import { judgeFilter } from '../javascript/nosql-injection.js';
import { callArguments, stringValue, unwrap } from '../javascript/syntax.js';
import type { TaintAnalysis } from '../javascript/taint.js';
import { callMatches, importsOf } from './javascript-calls.js';
import type { Sink } from './schema.js';
import { JAVASCRIPT_MODELS } from './index.js';

/** The arguments of a call; a tagged template (`` $`ls ${dir}` ``) is its argument 0. */
function argumentsOf(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  return args?.type === 'template_string' ? [args] : callArguments(call);
}

function propertyValue(object: Node, key: string): Node | undefined {
  const target = unwrap(object);
  if (target.type !== 'object') return undefined;
  for (const pair of target.namedChildren) {
    if (pair.type === 'pair' && [key, `'${key}'`, `"${key}"`].includes(pair.childForFieldName('key')?.text ?? ''))
      return pair.childForFieldName('value') ?? undefined;
    if (pair.type === 'shorthand_property_identifier' && pair.text === key) return pair;
  }
  return undefined;
}

const PLACEHOLDER =
  /^(|x+|\*+|<[^>]*>|\$\{[^}]*\}|changeme|change[-_ ]?me|your[-_ ].*|example.*|todo|dummy|test|redacted)$/i;

function weaklyRandom(node: Node, taint: TaintAnalysis, depth = 0): boolean {
  const target = taint.resolve(node);
  if (target.type === 'call_expression' && target.childForFieldName('function')?.text === 'Math.random') return true;
  if (depth > 8) return false;
  return target.namedChildren.some((child) => weaklyRandom(child, taint, depth + 1));
}

function judge(sink: Sink, value: Node, taint: TaintAnalysis): Confidence | undefined {
  if (sink.requires === 'constant') {
    const text = stringValue(unwrap(value));
    return text !== undefined && !PLACEHOLDER.test(text.trim()) ? 'high' : undefined;
  }
  if (sink.requires === 'weak-random') return weaklyRandom(value, taint) ? 'high' : undefined;
  if (sink.requires === 'query-filter') return judgeFilter(value, taint)?.confidence;
  const level = taint.level(value);
  if (level === 'tainted') return 'high';
  if (level !== 'unknown' || !sink.reportUnknown) return undefined;
  const resolved = taint.resolve(value);
  const built =
    (resolved.type === 'binary_expression' && resolved.childForFieldName('operator')?.text === '+') ||
    (resolved.type === 'template_string' && resolved.namedChildren.some((c) => c.type === 'template_substitution'));
  return built ? 'medium' : undefined;
}

const SINKS_BY_RULE = new Map<string, Sink[]>();
for (const model of JAVASCRIPT_MODELS)
  for (const sink of model.sinks) SINKS_BY_RULE.set(sink.rule, [...(SINKS_BY_RULE.get(sink.rule) ?? []), sink]);

const ALL_SINKS = [...SINKS_BY_RULE.values()].flat();
/** Method names a sink matches on any receiver, or on what a matched call returns. */
const METHOD_NAMES = new Set(
  ALL_SINKS.flatMap((sink) => [...(sink.calls.methods ?? []), ...(sink.calls.chained ?? [])]),
);
const GLOBAL_NAMES = new Set(ALL_SINKS.flatMap((sink) => sink.calls.globals ?? []));
const WRAPPER_NAMES = /promisify|pify|callbackify/;
const candidatesByRoot = new WeakMap<Node, Node[]>();

/**
 * The calls a model sink could match, found once per file: a method some sink names, or a callee whose first
 * name is imported, a global a model names, a `require(…)` or (in a file that wraps functions) a local alias.
 * The models are then only tried on these, which keeps their cost proportional to the matching calls.
 */
function candidateCalls(root: Node, imports: ReadonlyMap<string, unknown>): Node[] {
  const cached = candidatesByRoot.get(root);
  if (cached) return cached;
  const wraps = WRAPPER_NAMES.test(root.text);
  const result = root.descendantsOfType(['call_expression', 'new_expression']).filter((call) => {
    const callee = call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function');
    if (!callee) return false;
    let head = unwrap(callee);
    if (head.type === 'member_expression' && METHOD_NAMES.has(head.childForFieldName('property')?.text ?? ''))
      return true;
    while (head.type === 'member_expression') head = unwrap(head.childForFieldName('object') ?? head);
    if (head.type === 'call_expression') return head.childForFieldName('function')?.text === 'require';
    return head.type === 'identifier' && (imports.has(head.text) || GLOBAL_NAMES.has(head.text) || wraps);
  });
  candidatesByRoot.set(root, result);
  return result;
}

/** The rule ids some JavaScript model reports for. */
export const JAVASCRIPT_MODEL_RULES = new Set(SINKS_BY_RULE.keys());

/** Matches of the modelled sinks of one rule in a file. */
export function javascriptModelMatches(ruleId: string, root: Node, taint: TaintAnalysis): RuleMatch[] {
  const sinks = SINKS_BY_RULE.get(ruleId);
  if (!sinks) return [];
  const imports = importsOf(root);
  const matches: RuleMatch[] = [];
  for (const call of candidateCalls(root, imports)) {
    for (const sink of sinks) {
      if (!callMatches(call, sink.calls, imports, taint)) continue;
      const args = argumentsOf(call);
      if (sink.when && !sink.when.oneOf.includes(stringValue(args[sink.when.argument]) ?? '\u0000')) continue;
      let confidence: Confidence | undefined;
      for (const index of sink.arguments) {
        const argument = args[index];
        const value = argument && sink.property ? propertyValue(argument, sink.property) : argument;
        const found = value ? judge(sink, value, taint) : undefined;
        if (found === 'high' || (found && !confidence)) confidence = found;
      }
      if (confidence) {
        matches.push({ node: call, confidence, ...(sink.message ? { message: sink.message } : {}) });
        break;
      }
    }
  }
  return matches;
}
