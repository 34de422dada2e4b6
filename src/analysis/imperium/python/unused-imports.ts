import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { ImperiumRule, RuleMatch } from '../rule.js';
import { removeListItems, removeStatement } from '../syntax.js';
import { hasDynamicNames, mentions, wordsInStrings } from './scope.js';
import { SIDE_EFFECT_FREE_STDLIB } from './stdlib.js';

interface Imported {
  /** the list item: a dotted_name or aliased_import */
  readonly item: Node;
  /** the name it binds */
  readonly name: string;
  /** the top-level module it loads */
  readonly module: string;
}

function importedNames(statement: Node): Imported[] {
  const result: Imported[] = [];
  if (statement.type === 'import_statement') {
    for (const item of statement.childrenForFieldName('name')) {
      const dotted = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
      const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
      const first = dotted?.namedChildren[0]?.text;
      if (!dotted || !first) continue;
      result.push({ item, name: alias ?? first, module: first });
    }
    return result;
  }
  const moduleName = statement.childForFieldName('module_name');
  // Relative imports load the package's own modules, which may do anything.
  const module = moduleName?.type === 'dotted_name' ? (moduleName.namedChildren[0]?.text ?? '') : '';
  for (const item of statement.childrenForFieldName('name')) {
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
    const dotted = item.type === 'aliased_import' ? item.childForFieldName('name') : item;
    if (!dotted) continue;
    result.push({ item, name: alias ?? dotted.text, module });
  }
  return result;
}

function isSafeContainer(statement: Node): boolean {
  // Imports in try blocks detect optional modules; in functions and conditionals they are deliberate.
  return statement.parent?.type === 'module';
}

export const pythonUnusedImportsRule: ImperiumRule = {
  id: 'py.unused-import',
  title: 'Remove unused imports',
  languages: ['python'],
  impact: 'maintainability',
  confidence: 0.85,
  suggestOnly: false,
  explanation: 'An imported name that the module never uses is noise for readers and slows start-up.',
  precondition:
    'A module-level import whose bound name appears nowhere else in the file — neither as a name nor as a ' +
    'word in any string (string annotations, __all__, getattr) — in a file that is not an __init__.py ' +
    '(re-exports) and uses no eval/exec/globals/locals/vars/__import__. Removed only for standard-library ' +
    'modules without import side effects; an unused import of any other module is reported only, because ' +
    'importing it runs its code. `from __future__` and `*` imports are never touched.',
  check(context) {
    if (path.basename(context.filePath) === '__init__.py' || hasDynamicNames(context)) return [];
    const counts = mentions(context);
    const words = wordsInStrings(context);
    const matches: RuleMatch[] = [];
    for (const statement of context.ofType('import_statement', 'import_from_statement')) {
      if (!isSafeContainer(statement)) continue;
      if (statement.type === 'import_from_statement') {
        const moduleName = statement.childForFieldName('module_name');
        if (moduleName?.text === '__future__') continue;
        if (statement.namedChildren.some((child) => child.type === 'wildcard_import')) continue;
      }
      const imported = importedNames(statement);
      if (imported.length === 0) continue;
      const unused = imported.filter((entry) => {
        const own = entry.item.descendantsOfType(['identifier']).filter((node) => node.text === entry.name).length;
        return (counts.get(entry.name) ?? 0) <= own && !words.has(entry.name);
      });
      if (unused.length === 0) continue;
      const removable = unused.filter((entry) => SIDE_EFFECT_FREE_STDLIB.has(entry.module));
      const reported = unused.filter((entry) => !SIDE_EFFECT_FREE_STDLIB.has(entry.module));
      for (const entry of reported) {
        matches.push({
          node: entry.item,
          explanation: `\`${entry.name}\` is imported but never used. Not removed automatically: importing \`${entry.module || 'a relative module'}\` runs its code, which may register things or have other effects.`,
        });
      }
      if (removable.length === 0) continue;
      if (removable.length === imported.length) {
        const edit = removeStatement(context.code, statement, '#');
        if (edit) matches.push({ node: statement, edits: [edit] });
        continue;
      }
      const edits = removeListItems(
        context.code,
        imported.map((entry) => entry.item),
        new Set(removable.map((entry) => entry.item.id)),
      );
      if (edits.length > 0) matches.push({ node: removable[0]!.item, edits });
    }
    return matches;
  },
};
