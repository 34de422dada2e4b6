import type { ImperiumRule, RuleMatch } from '../rule.js';
import { ancestors } from '../syntax.js';
import { FUNCTION_TYPES, isAsync, isGenerator, JS_LANGUAGES } from './scope.js';

export const returnAwaitRule: ImperiumRule = {
  id: 'js.redundant-return-await',
  title: '`return await x` outside try → `return x`',
  languages: JS_LANGUAGES,
  impact: 'maintainability',
  confidence: 0.6,
  suggestOnly: false,
  explanation:
    'An async function already waits for a returned promise, so `await` right after `return` is redundant ' +
    'outside try/catch/finally. Trade-off: the function no longer appears in the async stack trace of a ' +
    'rejection, and V8 no longer makes `return await` slower — this is a clarity change, not a speed-up.',
  precondition:
    'The return is in an async, non-generator function, not inside a try block, catch or finally of that ' +
    'function (where await decides which handler sees a rejection), and the function declares no `using` ' +
    'resources (which are disposed of before a returned promise settles).',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const statement of context.ofType('return_statement')) {
      const value = statement.namedChildren.find((child) => child.type !== 'comment');
      if (value?.type !== 'await_expression') continue;
      const argument = value.namedChildren.find((child) => child.type !== 'comment');
      if (!argument) continue;
      let fn;
      let guarded = false;
      for (const ancestor of ancestors(statement)) {
        if (FUNCTION_TYPES.has(ancestor.type)) {
          fn = ancestor;
          break;
        }
        if (ancestor.type === 'try_statement') guarded = true;
      }
      if (!fn || guarded || !isAsync(fn) || isGenerator(fn)) continue;
      if (
        /\busing\b/.test(fn.text) &&
        fn.descendantsOfType(['lexical_declaration']).some((d) => /^(await\s+)?using\b/.test(d.text))
      )
        continue;
      matches.push({
        node: statement,
        edits: [{ start: value.startIndex, end: argument.startIndex, replacement: '' }],
      });
    }
    return matches;
  },
};
