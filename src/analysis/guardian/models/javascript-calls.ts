// Finds the calls the JavaScript library models (models/javascript/*.json) name, through the file's imports
// and aliases of wrapped functions; the sources and flow summaries they define. Sinks: javascript-sinks.ts.
import type { Node } from 'web-tree-sitter';
import { callArguments, dottedName, stringValue, unwrap } from '../javascript/syntax.js';
import type { Callee, Summary } from './schema.js';
import { JAVASCRIPT_MODELS } from './index.js';

/** What the matching needs of the file's taint analysis (kept structural to avoid an import cycle). */
export interface Resolver {
  resolve(node: Node): Node;
}

/** What a local name stands for: a module's export path (`''` for the module itself). */
interface Imported {
  readonly module: string;
  readonly path: string;
}

const importsByRoot = new WeakMap<Node, Map<string, Imported>>();

function requiredModule(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  let target = unwrap(node);
  if (target.type === 'await_expression' && target.namedChild(0)) target = unwrap(target.namedChild(0)!);
  if (target.type !== 'call_expression' || target.childForFieldName('function')?.text !== 'require') return undefined;
  return stringValue(callArguments(target)[0])?.replace(/^node:/, '');
}

/** Local names bound to modules by `import` and `require`, each with the export it names. */
export function importsOf(root: Node): Map<string, Imported> {
  const cached = importsByRoot.get(root);
  if (cached) return cached;
  const result = new Map<string, Imported>();
  for (const node of root.descendantsOfType(['import_statement', 'variable_declarator'])) {
    if (node.type === 'import_statement') {
      const module = stringValue(node.childForFieldName('source'))?.replace(/^node:/, '');
      const clause = node.namedChildren.find((child) => child.type === 'import_clause');
      if (!module || !clause) continue;
      for (const part of clause.namedChildren) {
        if (part.type === 'identifier') result.set(part.text, { module, path: '' });
        else if (part.type === 'namespace_import') {
          const name = part.namedChildren.find((c) => c.type === 'identifier')?.text;
          if (name) result.set(name, { module, path: '' });
        } else if (part.type === 'named_imports')
          for (const specifier of part.namedChildren.filter((c) => c.type === 'import_specifier')) {
            const imported = specifier.childForFieldName('name')?.text;
            const local = specifier.childForFieldName('alias')?.text ?? imported;
            if (imported && local) result.set(local, { module, path: imported === 'default' ? '' : imported });
          }
      }
      continue;
    }
    const value = node.childForFieldName('value');
    const pattern = node.childForFieldName('name');
    if (!pattern) continue;
    // `const fse = require('fs-extra')`, `const { shell } = require('electron')`, `const run = require('m').x`
    let module = requiredModule(value);
    let path = '';
    if (!module && value && unwrap(value).type === 'member_expression') {
      const member = unwrap(value);
      module = requiredModule(member.childForFieldName('object'));
      path = member.childForFieldName('property')?.text ?? '';
    }
    if (!module) continue;
    if (pattern.type === 'identifier') result.set(pattern.text, { module, path });
    else if (pattern.type === 'object_pattern')
      for (const property of pattern.namedChildren) {
        const key =
          property.type === 'shorthand_property_identifier_pattern'
            ? property.text
            : property.type === 'pair_pattern'
              ? property.childForFieldName('key')?.text
              : undefined;
        const local = property.type === 'pair_pattern' ? property.childForFieldName('value')?.text : key;
        if (key && local) result.set(local, { module, path: path ? `${path}.${key}` : key });
      }
  }
  importsByRoot.set(root, result);
  return result;
}

/** The module and export path a callee expression names, or its global dotted name. */
interface Named {
  readonly module?: string;
  readonly path: string;
}

function nameOf(expression: Node, imports: ReadonlyMap<string, Imported>, taint: Resolver): Named | undefined {
  const target = unwrap(expression);
  const module = requiredModule(target);
  if (module) return { module, path: '' }; // `require('cookie-session')({ … })`
  if (target.type === 'member_expression') {
    const object = target.childForFieldName('object');
    const property = target.childForFieldName('property')?.text;
    const base = object && property ? nameOf(object, imports, taint) : undefined;
    return base && property ? { ...base, path: base.path ? `${base.path}.${property}` : property } : undefined;
  }
  if (target.type !== 'identifier') return undefined;
  const imported = imports.get(target.text);
  if (imported) return imported;
  // a local alias of a wrapped function: `const run = util.promisify(cp.exec)`
  const bound = taint.resolve(target);
  if (bound.type === 'call_expression') {
    for (const summary of WRAPPERS) {
      const callee = bound.childForFieldName('function');
      const named = callee ? nameOf(callee, imports, taint) : undefined;
      const wrapped = callArguments(bound)[summary.arguments[0] ?? 0];
      if (named && wrapped && functionMatches(summary.calls, named)) return nameOf(wrapped, imports, taint);
    }
  }
  if (bound.type === 'member_expression') return nameOf(bound, imports, taint);
  return { path: dottedName(target) ?? target.text };
}

const WRAPPERS = JAVASCRIPT_MODELS.flatMap((model) => model.summaries).filter((summary) => summary.kind === 'wrapper');

function functionMatches(callee: Callee, named: Named): boolean {
  if (!callee.functions) return false;
  if (callee.module !== undefined) return named.module === callee.module && callee.functions.includes(named.path);
  if (callee.globals && named.module === undefined) {
    const [head, ...rest] = named.path.split('.');
    return callee.globals.includes(head!) && callee.functions.includes(rest.join('.'));
  }
  return false;
}

/** Whether a call (or `new`) is one the callee describes. */
export function callMatches(
  call: Node,
  callee: Callee,
  imports: ReadonlyMap<string, Imported>,
  taint: Resolver,
): boolean {
  const expression = call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function');
  if (!expression) return false;
  if (call.type === 'new_expression') {
    const named = nameOf(expression, imports, taint);
    return (
      callee.constructors !== undefined &&
      named !== undefined &&
      callee.constructors.includes(named.path) &&
      (callee.module === undefined || named.module === callee.module)
    );
  }
  const target = unwrap(expression);
  const method = target.type === 'member_expression' ? target.childForFieldName('property')?.text : undefined;
  if (callee.methods && method && callee.methods.includes(method)) return true;
  if (callee.chained && method && callee.chained.includes(method)) {
    // walk down the chain to a call the callee's functions describe: `$(s).find('a').append(x)`
    for (let receiver = target.childForFieldName('object'); receiver;) {
      const inner = unwrap(receiver);
      if (inner.type !== 'call_expression') break;
      const innerCallee = inner.childForFieldName('function');
      const named = innerCallee ? nameOf(innerCallee, imports, taint) : undefined;
      if (named && functionMatches(callee, named)) return true;
      receiver =
        innerCallee && unwrap(innerCallee).type === 'member_expression'
          ? unwrap(innerCallee).childForFieldName('object')
          : null;
    }
    return false;
  }
  const named = nameOf(expression, imports, taint);
  return named !== undefined && functionMatches(callee, named);
}

/** Expressions the models name as client data (`document.referrer`). */
export const JAVASCRIPT_SOURCE_MEMBERS = new Set(
  JAVASCRIPT_MODELS.flatMap((model) => model.sources.flatMap((source) => source.members ?? [])),
);

const CALLBACK_SOURCES = JAVASCRIPT_MODELS.flatMap((model) =>
  model.sources.flatMap((source) => (source.callback ? [source.callback] : [])),
);

/** The parameter index of a function that a model names as client data, given the call it is passed to. */
export function modelledCallbackParameter(fn: Node, taint: Resolver): number | undefined {
  const list = fn.parent;
  const call = list?.type === 'arguments' ? list.parent : null;
  if (!list || call?.type !== 'call_expression') return undefined;
  const position = list.namedChildren.findIndex((child) => child.id === fn.id);
  const root = call.tree.rootNode;
  for (const source of CALLBACK_SOURCES) {
    if (source.argument !== position) continue;
    const args = callArguments(call);
    if (source.when && !source.when.oneOf.includes(stringValue(args[source.when.argument]) ?? '\u0000')) continue;
    if (callMatches(call, source.calls, importsOf(root), taint)) return source.parameter;
  }
  return undefined;
}

const SUMMARIES = JAVASCRIPT_MODELS.flatMap((model) => model.summaries).filter((summary) => summary.kind !== 'wrapper');

/** The flow summary (`propagate` or `sanitise`) a model gives for a call, if any. */
export function modelledSummary(call: Node, taint: Resolver): Summary | undefined {
  if (!SUMMARIES.length) return undefined;
  const imports = importsOf(call.tree.rootNode);
  return SUMMARIES.find((summary) => callMatches(call, summary.calls, imports, taint));
}
