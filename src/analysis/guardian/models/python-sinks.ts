// Reports the sinks of the Python library models (models/python/*.json): a call of the qualified name the
// model gives (through the file's imports) whose checked argument carries request data, or a value of the
// `random` module where the sink requires `weak-random`.
import type { Node } from 'web-tree-sitter';
import type { Confidence, RuleMatch } from '../finding.js';
import { children, type CallParts } from '../python/ast.js';
import type { SinkKind, TaintAnalysis } from '../python/taint.js';
import { PYTHON_MODELS } from './index.js';
import type { Callee, Sink } from './schema.js';

/** What each rule's sinks are sensitive to, for the sanitisers the taint analysis knows. */
const KINDS: Readonly<Record<string, SinkKind>> = {
  'py.ssrf': 'url',
  'py.sql-injection': 'sql',
  'py.nosql-injection': 'nosql',
  'py.command-injection': 'command',
  'py.code-injection': 'code',
  'py.path-traversal': 'path',
  'py.xss': 'html',
  'py.open-redirect': 'redirect',
};

const SINKS_BY_RULE = new Map<string, Sink[]>();
for (const model of PYTHON_MODELS)
  for (const sink of model.sinks) SINKS_BY_RULE.set(sink.rule, [...(SINKS_BY_RULE.get(sink.rule) ?? []), sink]);

/** The rule ids some Python model reports for. */
export const PYTHON_MODEL_RULES = new Set(SINKS_BY_RULE.keys());

const qualifies = (callee: Callee, name: string | undefined) =>
  name !== undefined && (callee.functions ?? []).some((fn) => (callee.module ? `${callee.module}.${fn}` : fn) === name);

function matches(callee: Callee, parts: CallParts, taint: TaintAnalysis): boolean {
  if (callee.methods && parts.receiver && callee.methods.includes(parts.method ?? '')) return true;
  if (callee.chained) {
    if (!parts.receiver || !callee.chained.includes(parts.method ?? '')) return false;
    // `httplib2.Http().request(url)`, or `h = httplib2.Http()` … `h.request(url)`
    let receiver: Node | undefined = parts.receiver;
    if (receiver.type === 'identifier') receiver = taint.bindingAt(receiver.text, receiver)?.value;
    const inner = receiver?.type === 'call' ? receiver.childForFieldName('function') : null;
    return inner !== null && qualifies(callee, taint.qualified(inner));
  }
  return qualifies(callee, parts.name);
}

/** Whether a value is computed with the `random` module (not `random.SystemRandom`), one binding deep. */
function weaklyRandom(node: Node, taint: TaintAnalysis, depth = 0): boolean {
  if (depth > 4) return false;
  if (node.type === 'call') {
    const name = taint.qualified(node.childForFieldName('function')) ?? '';
    if (/^random\.(?!SystemRandom)\w+$/.test(name) || /^numpy\.random\./.test(name)) return true;
  }
  if (node.type === 'identifier') {
    const bound = taint.bindingAt(node.text, node)?.value;
    return bound !== undefined && depth < 2 && weaklyRandom(bound, taint, depth + 1);
  }
  return children(node).some((child) => weaklyRandom(child, taint, depth + 1));
}

function judge(sink: Sink, value: Node, taint: TaintAnalysis): Confidence | undefined {
  if (sink.requires === 'weak-random') return weaklyRandom(value, taint) ? 'high' : undefined;
  if (sink.requires !== 'tainted') return undefined;
  const level = taint.level(value, KINDS[sink.rule] ?? 'generic');
  if (level === 'tainted') return 'high';
  return level === 'unknown' && sink.reportUnknown ? 'medium' : undefined;
}

/** Matches of the modelled sinks of one rule among a file's calls. */
export function pythonModelMatches(ruleId: string, calls: readonly CallParts[], taint: TaintAnalysis): RuleMatch[] {
  const sinks = SINKS_BY_RULE.get(ruleId);
  if (!sinks) return [];
  const found: RuleMatch[] = [];
  for (const parts of calls)
    for (const sink of sinks) {
      if (!matches(sink.calls, parts, taint)) continue;
      const values = [
        ...sink.arguments.map((index) => parts.positional[index]),
        ...sink.keywords.map((keyword) => parts.keywords.get(keyword)),
      ].filter((value): value is Node => value !== undefined && value.type !== 'list_splat');
      const levels = values.map((value) => judge(sink, value, taint));
      const confidence = levels.includes('high') ? 'high' : levels.includes('medium') ? 'medium' : undefined;
      if (confidence) {
        found.push({ node: parts.call, confidence, ...(sink.message ? { message: sink.message } : {}) });
        break;
      }
    }
  return found;
}
