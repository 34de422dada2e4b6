import type { Node } from 'web-tree-sitter';
import type { ImperiumRule, RuleMatch } from '../rule.js';
import { enclosingFunction, enclosingLoop, isAsync, JS_LANGUAGES } from './scope.js';

const calleeText = (call: Node) => call.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
const argumentsOf = (call: Node) =>
  call.childForFieldName('arguments')?.namedChildren.filter((child) => child.type !== 'comment') ?? [];

export const structuredCloneRule: ImperiumRule = {
  id: 'js.prefer-structured-clone',
  title: '`JSON.parse(JSON.stringify(x))` → `structuredClone(x)`',
  languages: JS_LANGUAGES,
  impact: 'performance',
  confidence: 0.5,
  suggestOnly: true,
  explanation:
    'structuredClone (Node 17+, browsers) deep-copies without building a string. Not applied automatically: ' +
    'it keeps Dates, Maps, Sets, undefined, NaN and -0 that the JSON round trip converts or drops, ignores ' +
    'toJSON, and throws on functions — check that the value is plain JSON data.',
  precondition: 'Suggestion only: whether the value is plain JSON data cannot be read off the code.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const call of context.ofType('call_expression')) {
      if (calleeText(call) !== 'JSON.parse') continue;
      const [inner, ...rest] = argumentsOf(call);
      if (rest.length > 0 || inner?.type !== 'call_expression' || calleeText(inner) !== 'JSON.stringify') continue;
      if (argumentsOf(inner).length !== 1) continue;
      matches.push({ node: call });
    }
    return matches;
  },
};

/** Local names bound to the fs module or its synchronous functions by imports or requires. */
function fsBindings(context: Parameters<ImperiumRule['check']>[0]) {
  const modules = new Set<string>();
  const functions = new Set<string>();
  const isFs = (text: string) => /^['"](node:)?fs['"]$/.test(text);
  for (const statement of context.ofType('import_statement')) {
    if (!isFs(statement.childForFieldName('source')?.text ?? '')) continue;
    for (const node of statement.descendantsOfType(['identifier'])) {
      const parent = node.parent;
      if (parent?.type === 'import_specifier') {
        const local = parent.childForFieldName('alias') ?? parent.childForFieldName('name');
        if (local?.id === node.id && parent.childForFieldName('name')?.text.endsWith('Sync')) functions.add(node.text);
      } else modules.add(node.text);
    }
  }
  for (const declarator of context.ofType('variable_declarator')) {
    const value = declarator.childForFieldName('value');
    if (value?.type !== 'call_expression' || calleeText(value) !== 'require') continue;
    if (!isFs(argumentsOf(value)[0]?.text ?? '')) continue;
    const name = declarator.childForFieldName('name');
    if (name?.type === 'identifier') modules.add(name.text);
    else if (name?.type === 'object_pattern') {
      for (const part of name.descendantsOfType(['shorthand_property_identifier_pattern', 'identifier'])) {
        if (part.text.endsWith('Sync')) functions.add(part.text);
      }
    }
  }
  return { modules, functions };
}

export const syncFsInAsyncRule: ImperiumRule = {
  id: 'js.sync-fs-in-async',
  title: 'Synchronous fs call inside an async function',
  languages: JS_LANGUAGES,
  impact: 'performance',
  confidence: 0.6,
  suggestOnly: true,
  explanation:
    'A synchronous file-system call blocks the event loop while it waits for the disk; inside an async ' +
    'function the fs/promises equivalent (`await fs.promises.readFile(…)`) lets other work proceed. Not ' +
    'applied automatically: the change moves when the call happens relative to other tasks and how its ' +
    'errors surface.',
  precondition: 'Suggestion only.',
  check(context) {
    const { modules, functions } = fsBindings(context);
    if (modules.size === 0 && functions.size === 0) return [];
    const matches: RuleMatch[] = [];
    for (const call of context.ofType('call_expression')) {
      const callee = call.childForFieldName('function');
      let sync = false;
      if (callee?.type === 'member_expression') {
        const object = callee.childForFieldName('object')?.text ?? '';
        sync = modules.has(object) && (callee.childForFieldName('property')?.text.endsWith('Sync') ?? false);
      } else if (callee?.type === 'identifier') sync = functions.has(callee.text);
      if (!sync) continue;
      const fn = enclosingFunction(call);
      if (fn && isAsync(fn)) matches.push({ node: call });
    }
    return matches;
  },
};

/** The names a statement `const x = await …` / `const { a, b } = await …` binds, or undefined otherwise. */
function awaitedDeclaration(statement: Node): { names: string[]; value: Node } | undefined {
  if (statement.type !== 'lexical_declaration') return undefined;
  const declarators = statement.namedChildren.filter((child) => child.type === 'variable_declarator');
  if (declarators.length !== 1) return undefined;
  const value = declarators[0]!.childForFieldName('value');
  const name = declarators[0]!.childForFieldName('name');
  if (value?.type !== 'await_expression' || !name) return undefined;
  const names =
    name.type === 'identifier'
      ? [name.text]
      : name.descendantsOfType(['identifier', 'shorthand_property_identifier_pattern']).map((node) => node.text);
  return { names, value };
}

export const sequentialAwaitsRule: ImperiumRule = {
  id: 'js.sequential-awaits',
  title: 'Independent sequential awaits → `Promise.all`',
  languages: JS_LANGUAGES,
  impact: 'performance',
  confidence: 0.4,
  suggestOnly: true,
  explanation:
    'Two awaits in a row where the second does not use the first result wait one after the other; started ' +
    'together with Promise.all they overlap. Not applied automatically: the calls may depend on each ' +
    "other's side effects (a write then a read) or on running in order, which the code does not show.",
  precondition: 'Suggestion only: independence of the awaited operations cannot be proved.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const block of context.ofType('statement_block')) {
      const statements = block.namedChildren.filter((child) => child.type !== 'comment');
      for (let index = 0; index + 1 < statements.length; index++) {
        const first = awaitedDeclaration(statements[index]!);
        const second = awaitedDeclaration(statements[index + 1]!);
        if (!first || !second) continue;
        const used = new Set(second.value.descendantsOfType(['identifier']).map((node) => node.text));
        if (first.names.some((name) => used.has(name))) continue;
        matches.push({ node: statements[index]! });
        index++;
      }
    }
    return matches;
  },
};

const CONSTANT_CONSTRUCTORS = new Set([
  'RegExp',
  'Set',
  'Map',
  'Intl.NumberFormat',
  'Intl.DateTimeFormat',
  'Intl.Collator',
]);
const LITERAL_TYPES = new Set(['string', 'number', 'true', 'false', 'null', 'regex', 'template_string']);

function isConstantLiteral(node: Node): boolean {
  if (LITERAL_TYPES.has(node.type)) {
    return (
      node.type !== 'template_string' || !node.namedChildren.some((child) => child.type === 'template_substitution')
    );
  }
  if (node.type === 'array') return node.namedChildren.every(isConstantLiteral);
  return false;
}

export const loopInvariantConstructionRule: ImperiumRule = {
  id: 'js.loop-invariant-construction',
  title: 'Constant RegExp/Set/Map/Intl construction inside a loop',
  languages: JS_LANGUAGES,
  impact: 'performance',
  confidence: 0.5,
  suggestOnly: true,
  explanation:
    'The object is built from constants on every iteration; building it once before the loop saves the ' +
    'work. Not applied automatically: the object may be mutated or compared by identity in the loop, and a ' +
    'RegExp with the g or y flag keeps lastIndex between uses.',
  precondition: 'Suggestion only.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const expression of context.ofType('new_expression')) {
      const constructor = expression.childForFieldName('constructor')?.text.replace(/\s+/g, '') ?? '';
      if (!CONSTANT_CONSTRUCTORS.has(constructor)) continue;
      const args =
        expression.childForFieldName('arguments')?.namedChildren.filter((child) => child.type !== 'comment') ?? [];
      if (!args.every(isConstantLiteral)) continue;
      if (enclosingLoop(expression)) matches.push({ node: expression });
    }
    return matches;
  },
};
