import type { RuleMatch } from '../finding.js';
import { catastrophicBacktracking } from '../regex.js';
import { argument, stringValue } from './ast.js';
import { match, named, pythonRule } from './support.js';

const RE_FUNCTIONS = ['compile', 'match', 'search', 'fullmatch', 'findall', 'finditer', 'sub', 'subn', 'split'];

const REGEX_CALLS = new Set(['re', 'regex'].flatMap((module) => RE_FUNCTIONS.map((fn) => `${module}.${fn}`)));

/** Whether a regular expression has a quantified group that itself contains a quantifier (`(a+)+`). */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  const quantifierAt = (i: number) => {
    const c = pattern[i];
    return (
      c === '+' ||
      c === '*' ||
      (c === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i)) && !/^\{\d+\}/.test(pattern.slice(i)))
    );
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      const quantified = groups.pop() ?? false;
      if (quantified && quantifierAt(i + 1)) return true;
      if (quantified && groups.length) groups[groups.length - 1] = true;
    } else if (groups.length && quantifierAt(i)) groups[groups.length - 1] = true;
  }
  return false;
}

export const redos = pythonRule({
  id: 'py.redos',
  issueType: 'redos',
  cwe: 'CWE-1333',
  severity: 'medium',
  message: 'Regular expression exposed to catastrophic backtracking: a crafted input can hang the process.',
  remediation:
    'Escape client input with `re.escape` before using it in a pattern, and avoid nested quantifiers such as `(a+)+`; bound the input length or use a linear-time engine (`re2`).',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (!named(parts, REGEX_CALLS)) continue;
      const pattern = argument(parts, 0, 'pattern');
      if (!pattern) continue;
      const constant = stringValue(pattern);
      if (constant !== undefined) {
        if (catastrophicBacktracking(constant))
          matches.push(
            match(parts.call, 'medium', {
              message: `Regular expression \`${constant}\` has nested quantifiers and can backtrack catastrophically.`,
            }),
          );
      } else if (taint.level(pattern, 'regex') === 'tainted') {
        matches.push(
          match(parts.call, 'high', {
            message: 'Regular expression built from client data: a crafted pattern can hang the process.',
          }),
        );
      }
    }
    return matches;
  },
});
