import type { Node } from 'web-tree-sitter';
import type { ImperiumRule, RuleMatch } from '../rule.js';
import { removeStatement } from '../syntax.js';
import { JS_LANGUAGES } from './scope.js';

const TERMINATORS = new Set(['return_statement', 'throw_statement', 'break_statement', 'continue_statement']);

/** Statements that declare nothing themselves; their insides are checked for hoisted declarations. */
const REMOVABLE = new Set([
  'expression_statement',
  'if_statement',
  'for_statement',
  'for_in_statement',
  'while_statement',
  'do_statement',
  'return_statement',
  'throw_statement',
  'break_statement',
  'continue_statement',
  'empty_statement',
  'statement_block',
  'switch_statement',
  'try_statement',
]);

/** `var` and function declarations are hoisted out of blocks, so code declaring them is not dead. */
const HOISTED = ['variable_declaration', 'function_declaration', 'generator_function_declaration'];

function statementsOf(container: Node): Node[] {
  if (container.type === 'switch_case' || container.type === 'switch_default') {
    return container.childrenForFieldName('body');
  }
  return container.namedChildren;
}

export const unreachableRule: ImperiumRule = {
  id: 'js.unreachable-code',
  title: 'Remove unreachable statements',
  languages: JS_LANGUAGES,
  impact: 'maintainability',
  confidence: 0.9,
  suggestOnly: false,
  explanation: 'Statements after return, throw, break or continue in the same block never run.',
  precondition:
    'The statement follows a return/throw/break/continue in the same block or switch case, is not a ' +
    'declaration (function declarations and `var` are hoisted; `let`/`const`/`class` shadow outer names even ' +
    'when never initialised), and contains no `var` or function declaration.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const container of context.ofType('statement_block', 'switch_case', 'switch_default')) {
      const statements = statementsOf(container).filter((child) => child.type !== 'comment');
      const stop = statements.findIndex((statement) => TERMINATORS.has(statement.type));
      if (stop === -1) continue;
      for (const statement of statements.slice(stop + 1)) {
        if (!REMOVABLE.has(statement.type)) continue;
        if (statement.descendantsOfType(HOISTED).length > 0) continue;
        const edit = removeStatement(context.code, statement, '//');
        if (edit) matches.push({ node: statement, edits: [edit] });
      }
    }
    return matches;
  },
};
