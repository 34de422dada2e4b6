import { camelCase, pascalCase } from './naming.js';

// The names an entity takes in the generated code: its type (`Post`, and `PostInput`, `PostList`, … made from
// it) and its variable (`post`). An entity may be called anything a spec or an OpenAPI document calls it, and
// some of those names are already taken in the files that hold the entity's code: a `Reply` entity's
// variable would be Fastify's `reply` in its own route handler, an `Item` type the type parameter of the
// generated `PageOf<Item>`, a `Case` entity's variable a keyword. Such a name gets `Record` appended in the
// code only; URLs, tables, columns and the OpenAPI document keep the entity's own name.

/** Type names the generated code declares, imports or takes as type parameters, and the built-ins it uses. */
const TAKEN_TYPES = new Set([
  // declared or imported by the generated backend, frontend and tests
  'Api',
  'ApiPage',
  'ApiProblem',
  'App',
  'AppOptions',
  'Credentials',
  'Database',
  'DatabaseSettings',
  'FastifyInstance',
  'FastifyPluginAsync',
  'FastifyServerOptions',
  'FieldBase',
  'FormEntry',
  'FormEvent',
  'FormField',
  'FormValue',
  'FormValues',
  'Item',
  'Loaded',
  'Name',
  'Operation',
  'Option',
  'Options',
  'OptionsLoader',
  'Page',
  'PageOf',
  'Parent',
  'Parents',
  'Problem',
  'Queryable',
  'ReactNode',
  'RequestOptions',
  'Result',
  'Route',
  'RouteOptions',
  'Row',
  'Session',
  'Stored',
  'StoredToken',
  'TestApp',
  'ViewContext',
  // built-ins the generated code names
  'Array',
  'Blob',
  'Boolean',
  'Buffer',
  'Date',
  'Error',
  'Event',
  'Exclude',
  'Function',
  'Headers',
  'JSON',
  'Map',
  'Math',
  'Number',
  'Object',
  'Omit',
  'Partial',
  'Pick',
  'Promise',
  'Readonly',
  'ReadonlyArray',
  'ReadonlySet',
  'Record',
  'Request',
  'Required',
  'Response',
  'Set',
  'String',
  'Symbol',
  'URL',
  'URLSearchParams',
]);

/** Values the generated code binds where an entity's variable also lives, and words a variable cannot be. */
const TAKEN_VALUES = new Set([
  // bound by the generated route handlers, stores, views and tests
  'api',
  'app',
  'body',
  'client',
  'context',
  'created',
  'database',
  'deleted',
  'error',
  'fields',
  'found',
  'headers',
  'id',
  'input',
  'item',
  'items',
  'link',
  'links',
  'navigate',
  'options',
  'page',
  'params',
  'parent',
  'parents',
  'path',
  'props',
  'query',
  'record',
  'reply',
  'request',
  'response',
  'result',
  'row',
  'rows',
  'session',
  'store',
  'token',
  'total',
  'update',
  'updated',
  'url',
  'value',
  'values',
  // reserved and strict-mode words
  'arguments',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'enum',
  'eval',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'let',
  'new',
  'null',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'undefined',
  'var',
  'void',
  'while',
  'with',
  'yield',
]);

/** The suffixes the generators put after an entity's type name to name what belongs to it. */
const TYPE_SUFFIXES = ['', 'Input', 'Update', 'List', 'Detail', 'Create', 'Edit', 'Delete', 'Parents', 'Routes'];

export interface CodeNames {
  readonly type: string;
  readonly variable: string;
}

/**
 * Code names for each entity name, in order: free of the taken names above and of each other, including the
 * names made from them (`Item` and `ItemInput` as two entities would both declare `ItemInput`).
 */
export function codeNamesOf(entityNames: readonly string[]): CodeNames[] {
  const usedTypes = new Set<string>();
  const derivedOf = (type: string) => TYPE_SUFFIXES.map((suffix) => `${type}${suffix}`);
  const wanted = entityNames.map((name) => pascalCase(name));
  // Names made from every entity's own type name are claimed first, so an entity renamed later cannot take one.
  const claimed = new Set(wanted.flatMap((type) => derivedOf(type).slice(1)));
  return entityNames.map((_name, index) => {
    let type = wanted[index]!;
    while (
      TAKEN_TYPES.has(type) ||
      usedTypes.has(type) ||
      claimed.has(type) ||
      derivedOf(type).some((derived) => TAKEN_TYPES.has(derived))
    ) {
      type = `${type}Record`;
    }
    derivedOf(type).forEach((derived) => usedTypes.add(derived));
    let variable = camelCase(type);
    while (TAKEN_VALUES.has(variable)) variable = `${variable}Record`;
    return { type, variable };
  });
}
