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

/** Top-level alternatives of a pattern (split on `|` outside groups and classes). */
function alternatives(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') i++;
    else if (inClass) inClass = ch !== ']';
    else if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  return [...parts, pattern.slice(start)];
}

/**
 * A repetition of a character class that must then reach the end, without an anchor at the start (`\s+$`,
 * the right half of the trim regex `/^\s+|\s+$/`): on a long run of that class followed by another character,
 * the match is tried from every position of the run and each try consumes the rest of it, quadratic time.
 */
const TRAILING_RUN = /^(?:\\[sSdDwW]|\[[^\]]+\])[+*]\??\$$/;

export function polynomialTrailingRun(pattern: string, flags: string): boolean {
  if (flags.includes('m') || flags.includes('y')) return false;
  return alternatives(pattern).some((alternative) => TRAILING_RUN.test(alternative));
}

/** Methods that run a regex over a string: the subject is the receiver or the first argument. */
const SUBJECT_IS_RECEIVER = new Set(['replace', 'replaceAll', 'match', 'matchAll', 'split', 'search']);
const SUBJECT_IS_ARGUMENT = new Set(['test', 'exec']);

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
    // a regex that takes quadratic time, run over request data
    for (const call of callsIn(root)) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'member_expression') continue;
      const method = callee.childForFieldName('property')?.text ?? '';
      const receiver = callee.childForFieldName('object');
      const [first] = callArguments(call);
      const regex = SUBJECT_IS_RECEIVER.has(method) ? first : SUBJECT_IS_ARGUMENT.has(method) ? receiver : undefined;
      const subject = SUBJECT_IS_RECEIVER.has(method) ? receiver : first;
      if (regex?.type !== 'regex' || !subject) continue;
      const pattern = regex.childForFieldName('pattern')?.text ?? '';
      if (!polynomialTrailingRun(pattern, regex.childForFieldName('flags')?.text ?? '')) continue;
      if (taint.level(subject) === 'tainted')
        matches.push({
          node: call,
          confidence: 'high',
          message:
            'Request data matched with a regex that backtracks in quadratic time (`\\s+$`): a long run of spaces followed by another character stalls the server.',
        });
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
