// Adds the matches of the library models to the rules they name: each rule keeps its own checks, and the
// sinks the models define for its id are reported as its findings too (once per line).
import type { RuleMatch } from '../finding.js';
import { taintOf } from '../javascript/taint.js';
import { factsOf } from '../python/support.js';
import type { Rule, RuleContext } from '../rule.js';
import { JAVASCRIPT_MODEL_RULES, javascriptModelMatches } from './javascript-sinks.js';
import { PYTHON_MODEL_RULES, pythonModelMatches } from './python-sinks.js';

function merged(own: RuleMatch[], modelled: RuleMatch[]): RuleMatch[] {
  if (!modelled.length) return own;
  const lines = new Set(own.map((match) => match.node.startPosition.row));
  return [...own, ...modelled.filter((match) => !lines.has(match.node.startPosition.row))];
}

function modelMatches(rule: Rule, context: RuleContext): RuleMatch[] {
  if (context.language === 'python') {
    if (!PYTHON_MODEL_RULES.has(rule.id)) return [];
    const { taint, calls } = factsOf(context);
    return pythonModelMatches(rule.id, calls, taint);
  }
  if (!JAVASCRIPT_MODEL_RULES.has(rule.id)) return [];
  return javascriptModelMatches(rule.id, context.root, taintOf(context.tree));
}

/** The rules, each also reporting the sinks the models define for it. */
export function withModels(rules: readonly Rule[]): Rule[] {
  return rules.map((rule) =>
    JAVASCRIPT_MODEL_RULES.has(rule.id) || PYTHON_MODEL_RULES.has(rule.id)
      ? { ...rule, check: (context: RuleContext) => merged(rule.check(context), modelMatches(rule, context)) }
      : rule,
  );
}
