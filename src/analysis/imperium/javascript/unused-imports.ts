import { builtinModules } from 'node:module';
import type { Node } from 'web-tree-sitter';
import type { ImperiumRule, RuleMatch, TextEdit } from '../rule.js';
import { hasToken, removeListItems, removeStatement } from '../syntax.js';
import { hasDynamicScope, JS_LANGUAGES, mentions } from './scope.js';

/** Built-in modules whose loading has an observable effect (a deprecation warning, or domain's hooks). */
const EFFECTFUL_BUILTINS = new Set(['domain', 'punycode', 'sys', 'constants']);
const SIDE_EFFECT_FREE = new Set(builtinModules.filter((name) => !EFFECTFUL_BUILTINS.has(name)));

function isBuiltin(specifier: string): boolean {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return SIDE_EFFECT_FREE.has(name);
}

/** Names that JSX uses implicitly (the classic runtime's factory and pragmas). */
function implicitJsxNames(code: string): Set<string> {
  const names = new Set(['React', 'h', 'Fragment']);
  for (const match of code.matchAll(/@jsx(?:Frag)?\s+([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
  return names;
}

interface Binding {
  /** the node to delete when the binding goes (a specifier, the default name, or the namespace import) */
  readonly node: Node;
  readonly name: string;
}

function bindingsOf(clause: Node): Binding[] {
  const result: Binding[] = [];
  for (const child of clause.namedChildren) {
    if (child.type === 'identifier') result.push({ node: child, name: child.text });
    else if (child.type === 'namespace_import') {
      const name = child.namedChildren.find((part) => part.type === 'identifier');
      if (name) result.push({ node: child, name: name.text });
    } else if (child.type === 'named_imports') {
      for (const specifier of child.namedChildren) {
        if (specifier.type !== 'import_specifier') continue;
        const local = specifier.childForFieldName('alias') ?? specifier.childForFieldName('name');
        if (local) result.push({ node: specifier, name: local.text });
      }
    }
  }
  return result;
}

export const unusedImportsRule: ImperiumRule = {
  id: 'js.unused-import',
  title: 'Remove unused imports',
  languages: JS_LANGUAGES,
  impact: 'maintainability',
  confidence: 0.85,
  suggestOnly: false,
  explanation: 'An imported name that the file never mentions is dead weight for readers and bundlers.',
  precondition:
    'The name appears nowhere else in the file (values, types, JSX, exports; scopes ignored, so shadowing ' +
    'keeps an import) and the file uses neither eval nor with. Side-effect imports (`import "x"`) are never ' +
    'touched. When every name of an import goes: in JavaScript the statement becomes `import "x";` so the ' +
    'module still loads, except for side-effect-free Node built-ins, which are removed; in TypeScript the ' +
    'statement is removed (TypeScript already elides imports used by no value, unless verbatimModuleSyntax ' +
    'is on). With JSX, React/h/Fragment and @jsx pragma names count as used.',
  check(context) {
    if (hasDynamicScope(context)) return [];
    const counts = mentions(context);
    const hasJsx = context.ofType('jsx_element', 'jsx_self_closing_element', 'jsx_fragment').length > 0;
    const implicit = hasJsx ? implicitJsxNames(context.code) : new Set<string>();
    const typescript = context.language !== 'javascript';
    const matches: RuleMatch[] = [];
    for (const statement of context.ofType('import_statement')) {
      if (statement.parent?.type !== 'program') continue;
      const clause = statement.namedChildren.find((child) => child.type === 'import_clause');
      const source = statement.childForFieldName('source');
      if (!clause || !source) continue;
      const bindings = bindingsOf(clause);
      const unused = bindings.filter((binding) => (counts.get(binding.name) ?? 0) <= 1 && !implicit.has(binding.name));
      if (unused.length === 0) continue;
      const specifier = source.text.slice(1, -1);
      if (unused.length === bindings.length) {
        const typeOnly = hasToken(statement, 'type');
        if (typescript || typeOnly || isBuiltin(specifier)) {
          const edit = removeStatement(context.code, statement, '//');
          if (edit) matches.push({ node: statement, edits: [edit] });
        } else {
          matches.push({
            node: statement,
            edits: [{ start: clause.startIndex, end: source.startIndex, replacement: '' }],
            explanation: `None of the names imported from ${source.text} are used; the import keeps loading the module for its side effects.`,
          });
        }
        continue;
      }
      // Default, namespace and named imports form one comma-separated clause; named ones a list of their own.
      const unusedIds = new Set(unused.map((binding) => binding.node.id));
      const named = clause.namedChildren.find((child) => child.type === 'named_imports');
      const specifiers = named?.namedChildren.filter((child) => child.type === 'import_specifier') ?? [];
      const allNamedUnused = named !== undefined && specifiers.every((specifier) => unusedIds.has(specifier.id));
      if (allNamedUnused) unusedIds.add(named.id);
      const clauseItems = clause.namedChildren;
      const edits: TextEdit[] = [
        ...removeListItems(context.code, clauseItems, unusedIds),
        ...(named && !allNamedUnused ? removeListItems(context.code, specifiers, unusedIds) : []),
      ];
      if (edits.length === 0) continue;
      matches.push({ node: statement, edits });
    }
    return matches;
  },
};
