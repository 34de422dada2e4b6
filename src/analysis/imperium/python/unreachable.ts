import type { ImperiumRule, RuleMatch } from '../rule.js';
import { removeStatement } from '../syntax.js';

const TERMINATORS = new Set(['return_statement', 'raise_statement', 'break_statement', 'continue_statement']);
const REMOVABLE = new Set([
  'expression_statement',
  'pass_statement',
  'return_statement',
  'raise_statement',
  'break_statement',
  'continue_statement',
  'if_statement',
  'while_statement',
  'assert_statement',
]);
/**
 * Constructs that bind a name (making it local to the whole function, even when never run), turn a
 * function into a generator, or declare scope — unreachable code containing them still matters.
 */
const SCOPE_CHANGING = [
  'assignment',
  'augmented_assignment',
  'named_expression',
  'yield',
  'function_definition',
  'class_definition',
  'import_statement',
  'import_from_statement',
  'global_statement',
  'nonlocal_statement',
  'delete_statement',
  'for_statement',
  'with_statement',
  'try_statement',
  'match_statement',
  'type_alias_statement',
  'as_pattern',
];

export const pythonUnreachableRule: ImperiumRule = {
  id: 'py.unreachable-code',
  title: 'Remove unreachable statements',
  languages: ['python'],
  impact: 'maintainability',
  confidence: 0.9,
  suggestOnly: false,
  explanation: 'Statements after return, raise, break or continue in the same block never run.',
  precondition:
    'The statement follows a return/raise/break/continue in the same block, starts and ends its own lines, ' +
    'and binds no name (assignment, walrus, def, class, import, for/with/except targets, del, global/' +
    'nonlocal) and contains no yield: such code changes a function’s scoping or makes it a generator even ' +
    'when it never runs.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const block of context.ofType('block')) {
      const statements = block.namedChildren.filter((child) => child.type !== 'comment');
      const stop = statements.findIndex((statement) => TERMINATORS.has(statement.type));
      if (stop === -1) continue;
      for (const statement of statements.slice(stop + 1)) {
        if (!REMOVABLE.has(statement.type)) continue;
        if (SCOPE_CHANGING.includes(statement.type) || statement.descendantsOfType(SCOPE_CHANGING).length > 0) continue;
        const edit = removeStatement(context.code, statement, '#');
        if (edit) matches.push({ node: statement, edits: [edit] });
      }
    }
    return matches;
  },
};
