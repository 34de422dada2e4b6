import type { RuleMatch } from '../finding.js';
import { catastrophicBacktracking } from '../regex.js';
import type { Rule } from '../rule.js';
import { stringValue } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, sinkConfidence } from './util.js';

/**
 * True when a regular expression has a quantified group that itself contains a quantifier, like `(a+)+`: the
 * star height, a coarse measure; the rule asks `catastrophicBacktracking` (regex.ts), which also checks that
 * the iterations are ambiguous.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push(false);
    else if (ch === ')') {
      const quantified = stack.pop() ?? false;
      const next = pattern[i + 1];
      const repeats =
        next === '+' ||
        next === '*' ||
        (next === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i + 1)) && !/^\{\d+\}/.test(pattern.slice(i + 1)));
      if (quantified && repeats) return true;
      if (stack.length) stack[stack.length - 1] = stack[stack.length - 1]! || quantified;
    } else if ((ch === '+' || ch === '*' || ch === '{') && stack.length) {
      if (ch !== '{' || /^\{\d*,\d*\}/.test(pattern.slice(i))) stack[stack.length - 1] = true;
    }
  }
  return false;
}

export const redos: Rule = defineRule({
  id: 'js.redos',
  issueType: 'redos',
  cwe: 'CWE-1333',
  severity: 'medium',
  message: 'Regular expression open to catastrophic backtracking (ReDoS).',
  remediation:
    'Avoid nested quantifiers such as `(a+)+`; never build patterns from input without escaping it (e.g. `_.escapeRegExp`), and bound input length.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const regex of root.descendantsOfType('regex_pattern')) {
      const flags = regex.parent?.childForFieldName('flags')?.text ?? '';
      if (catastrophicBacktracking(regex.text, { flavor: 'javascript', flags })) {
        matches.push({
          node: regex.parent ?? regex,
          confidence: 'medium',
          message: 'Nested quantifier in a regular expression: matching can take exponential time.',
        });
      }
    }
    for (const call of callsIn(root)) {
      if (calleeParts(call).full !== 'RegExp') continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const constant = stringValue(first);
      if (constant !== undefined) {
        const flagsArgument = callArguments(call)[1];
        const flags = (flagsArgument && stringValue(flagsArgument)) ?? '';
        if (catastrophicBacktracking(constant.replace(/\\\\/g, '\\'), { flavor: 'javascript', flags })) {
          matches.push({
            node: call,
            confidence: 'medium',
            message: 'Nested quantifier in a regular expression: matching can take exponential time.',
          });
        }
        continue;
      }
      const confidence = sinkConfidence(first, taint);
      if (confidence === 'high') {
        matches.push({
          node: call,
          confidence,
          message:
            'Regular expression built from request data: an attacker can supply a pattern that backtracks forever.',
        });
      }
    }
    return matches;
  },
});
