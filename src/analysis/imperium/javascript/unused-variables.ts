import type { ImperiumRule, RuleMatch } from '../rule.js';
import { hasToken, removeStatement } from '../syntax.js';
import { FUNCTION_TYPES, hasDynamicScope, isPure, JS_LANGUAGES, mentions } from './scope.js';

export const unusedVariablesRule: ImperiumRule = {
  id: 'js.unused-variable',
  title: 'Remove unused local constants and variables',
  languages: JS_LANGUAGES,
  impact: 'maintainability',
  confidence: 0.8,
  suggestOnly: false,
  explanation: 'A local that is never read only costs the reader attention.',
  precondition:
    'A `const`/`let` declaration with one declarator, directly in a function body, whose name appears ' +
    'nowhere else in the file (scopes ignored), and whose initialiser cannot run code, throw or change state ' +
    '(literals, functions, arrays and objects of such; no identifiers, calls, spreads or computed keys). ' +
    '`var` (hoisted) and module-level bindings (visible to other scripts) are left alone, and so are files ' +
    'using eval or with.',
  check(context) {
    if (hasDynamicScope(context)) return [];
    const counts = mentions(context);
    const matches: RuleMatch[] = [];
    for (const declaration of context.ofType('lexical_declaration')) {
      const block = declaration.parent;
      if (block?.type !== 'statement_block' || !block.parent || !FUNCTION_TYPES.has(block.parent.type)) continue;
      if (!hasToken(declaration, 'const') && !hasToken(declaration, 'let')) continue;
      const declarators = declaration.namedChildren.filter((child) => child.type === 'variable_declarator');
      if (declarators.length !== 1) continue;
      const name = declarators[0]!.childForFieldName('name');
      if (name?.type !== 'identifier' || (counts.get(name.text) ?? 0) > 1) continue;
      const value = declarators[0]!.childForFieldName('value');
      if (value && !isPure(value)) {
        matches.push({
          node: declaration,
          explanation: `\`${name.text}\` is never used, but its initialiser may have side effects; remove it by hand if it has none.`,
        });
        continue;
      }
      const edit = removeStatement(context.code, declaration, '//');
      if (edit) matches.push({ node: declaration, edits: [edit] });
    }
    return matches;
  },
};
