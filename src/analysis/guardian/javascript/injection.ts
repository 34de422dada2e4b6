import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, enclosingFunction, stringValue, unwrap, type TaintAnalysis } from './taint.js';
import {
  callArguments,
  calleeOf,
  calleeParts,
  callsIn,
  defineRule,
  isStringBuilding,
  moduleNames,
  propertyOf,
  sinkConfidence,
  moduleConstants,
} from './util.js';

const SQL_METHODS = new Set([
  'query',
  'execute',
  'raw',
  'prepare',
  'whereRaw',
  'havingRaw',
  'orderByRaw',
  'joinRaw',
  'fromRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
]);
/** Methods of sqlite3/better-sqlite3 databases whose names are too common to be queries on their own. */
const GENERIC_SQL_METHODS = new Set(['run', 'all', 'get', 'each', 'exec']);
/** Query-builder methods whose argument is raw SQL whatever it contains. */
const SQL_FRAGMENT_METHODS = new Set([
  'raw',
  'whereRaw',
  'havingRaw',
  'orderByRaw',
  'joinRaw',
  'fromRaw',
  'groupByRaw',
]);
const SQL_KEYWORDS = /\b(select|insert|update|delete|from|where|order\s+by|values|drop|create|alter|union|join)\b/i;

/**
 * An argument vector is a collection no database driver reads as SQL. (A whole request body or query object
 * is not on this list: pg and mysql accept a `{text}`/`{sql}` config object, so passing one lets the client
 * write the query.)
 */
const WHOLE_INPUTS = new Set(['process.argv']);

/** The constant text of an expression built from strings (fragments of templates and concatenations). */
function constantText(node: Node): string {
  return node
    .descendantsOfType(['string_fragment'])
    .map((n) => n.text)
    .join(' ');
}

export const sqlInjection: Rule = defineRule({
  id: 'js.sql-injection',
  issueType: 'sql_injection',
  cwe: 'CWE-89',
  severity: 'high',
  message: 'SQL query built from non-constant data: an attacker can change the meaning of the query.',
  remediation:
    'Use parameterised queries (placeholders such as `?` or `$1` with a values array, or a tagged template like `sql`/`$queryRaw`); never concatenate input into SQL.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { method } = calleeParts(call);
      // a method of any receiver, `knex('t').whereRaw(…)` included; a bare `query(…)` is not a database call
      const member = calleeOf(call)?.type === 'member_expression';
      const generic = member && GENERIC_SQL_METHODS.has(method);
      if ((!SQL_METHODS.has(method) && !generic) || (!member && !method.startsWith('$'))) continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const built = taint.resolve(first);
      const sqlish =
        SQL_FRAGMENT_METHODS.has(method) ||
        SQL_KEYWORDS.test(constantText(built)) ||
        SQL_KEYWORDS.test(stringValue(built) ?? '');
      // `db.all(sql)`, `db.run(sql)` (sqlite3) are queries only when the text is SQL
      if (generic && !(sqlish && isStringBuilding(built))) continue;
      const level = taint.level(first);
      // a whole argument vector (`cli.execute(process.argv)`) is a collection, not query text
      if (!sqlish && WHOLE_INPUTS.has(dottedName(unwrap(first)) ?? '')) continue;
      if (level === 'tainted' && (sqlish || !isStringBuilding(built))) matches.push({ node: call, confidence: 'high' });
      else if (level === 'unknown' && sqlish && isStringBuilding(built))
        matches.push({ node: call, confidence: 'medium' });
    }
    return matches;
  },
});

const NOSQL_METHODS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'replaceOne',
  'countDocuments',
  'count',
  'where',
  'aggregate',
]);

/** Calls whose result is a primitive (a string or a number), which cannot carry query operators. */
const PRIMITIVE_CALLS = new Set([
  'String',
  'Number',
  'Boolean',
  'parseInt',
  'parseFloat',
  'Number.parseInt',
  'Number.parseFloat',
  'encodeURIComponent',
  'escape',
]);
const STRING_METHODS = new Set([
  'toString',
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'slice',
  'substring',
  'substr',
  'padStart',
  'padEnd',
  'normalize',
  'toFixed',
]);

/**
 * Whether a filter value is certainly a primitive: operator injection (`{"$ne": ""}`) needs an object, so a
 * value coerced with `String(x)`/`Number(x)`, built by a template or concatenation, or checked with
 * `typeof x === 'string'` before use cannot inject.
 */
function primitiveValue(value: Node, taint: TaintAnalysis): boolean {
  const target = taint.resolve(value);
  if (['string', 'number', 'template_string', 'true', 'false', 'null'].includes(target.type)) return true;
  if (target.type === 'binary_expression') return target.childForFieldName('operator')?.text !== '??';
  if (target.type === 'call_expression') {
    const { full, method } = calleeParts(target);
    return PRIMITIVE_CALLS.has(full) || STRING_METHODS.has(method);
  }
  return typeChecked(value, target);
}

/** `if (typeof x !== 'string') return …` before the use, for the expression's text. */
function typeChecked(use: Node, value: Node): boolean {
  const scope = enclosingFunction(use);
  if (!scope) return false;
  const texts = new Set([unwrap(use).text, value.text]);
  return scope.descendantsOfType('unary_expression').some((unary) => {
    if (unary.startIndex > use.startIndex || unary.childForFieldName('operator')?.text !== 'typeof') return false;
    const operand = unary.childForFieldName('argument');
    return operand !== null && texts.has(unwrap(operand).text);
  });
}

/** Operators whose operand is compared as a value, so an object there cannot change the query. */
const VALUE_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$size']);
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor']);

/** The filter values that can inject operators: request data placed directly as a field's value. */
function injectableValues(filter: Node, taint: TaintAnalysis, depth = 0): Node[] {
  const found: Node[] = [];
  if (depth > 4) return found;
  for (const pair of filter.namedChildren) {
    if (pair.type === 'shorthand_property_identifier') {
      if (taint.isTainted(pair) && !primitiveValue(pair, taint)) found.push(pair);
      continue;
    }
    if (pair.type === 'spread_element') {
      if (taint.isTainted(pair)) found.push(pair);
      continue;
    }
    if (pair.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const keyText = key?.type === 'string' ? stringValue(key) : key?.text;
    const value = pair.childForFieldName('value');
    if (!value) continue;
    const target = unwrap(value);
    if (keyText && LOGICAL_OPERATORS.has(keyText) && target.type === 'array') {
      for (const item of target.namedChildren)
        if (unwrap(item).type === 'object') found.push(...injectableValues(unwrap(item), taint, depth + 1));
        else if (taint.isTainted(item)) found.push(item);
      continue;
    }
    if (keyText && VALUE_OPERATORS.has(keyText)) continue;
    if (target.type === 'object') {
      // `{ field: { $gt: x } }`: operators are compared values; a plain sub-document is matched literally
      const operators = target.namedChildren.some(
        (p) => p.type === 'pair' && p.childForFieldName('key')?.text.includes('$'),
      );
      if (operators) found.push(...injectableValues(target, taint, depth + 1));
      continue;
    }
    if (taint.isTainted(target) && !primitiveValue(target, taint)) found.push(target);
  }
  return found;
}

/** A receiver that is a DOM or jQuery/cheerio selection, whose `find` is not a database query. */
function domSelection(receiver: Node | null): boolean {
  if (!receiver) return false;
  const root = unwrap(receiver);
  const callee = root.type === 'call_expression' ? root.childForFieldName('function')?.text : undefined;
  return callee === '$' || callee === 'jQuery' || callee === 'cheerio' || root.text.startsWith('$(');
}

/**
 * The legacy MongoDB-style `update(filter, { $set: … })` (old driver, monk, NeDB, mongojs), recognised by an
 * update document whose keys are `$` operators, so that Sequelize's `Model.update(values, { where })` and
 * `hash.update(data)` are not taken for it.
 */
function legacyMongoUpdate(call: Node, method: string): boolean {
  if (method !== 'update') return false;
  const second = callArguments(call)[1];
  const document = second ? unwrap(second) : undefined;
  return (
    document?.type === 'object' &&
    document.namedChildren.some(
      (pair) => pair.type === 'pair' && /^['"]?\$/.test(pair.childForFieldName('key')?.text ?? ''),
    )
  );
}

export const nosqlInjection: Rule = defineRule({
  id: 'js.nosql-injection',
  issueType: 'nosql_injection',
  cwe: 'CWE-943',
  severity: 'high',
  message: 'Database filter built from request data: query operators such as `$ne` or `$where` can be injected.',
  remediation:
    'Cast each field to the expected primitive type (`String(x)`, `Number(x)`), reject objects, or use a schema validator; never pass request objects as filters or use `$where`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const callee = calleeOf(call);
      if (callee?.type !== 'member_expression') continue;
      const method = callee.childForFieldName('property')?.text ?? '';
      if (
        !(NOSQL_METHODS.has(method) || legacyMongoUpdate(call, method)) ||
        domSelection(callee.childForFieldName('object'))
      )
        continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const filter = taint.resolve(first);
      if (filter.type === 'object') {
        const where = propertyOf(filter, '$where') ?? propertyOf(filter, '$function') ?? propertyOf(filter, '$expr');
        if (where) {
          const level = taint.level(where);
          if (level === 'safe') continue;
          const confidence = level === 'tainted' ? 'high' : 'medium';
          matches.push({ node: call, confidence, message: '`$where` runs JavaScript on the database server.' });
          continue;
        }
        if (injectableValues(filter, taint).length > 0) matches.push({ node: call, confidence: 'high' });
      } else if (
        !['call_expression', 'string', 'template_string', 'arrow_function', 'function_expression'].includes(
          filter.type,
        ) &&
        taint.isTainted(first) &&
        !primitiveValue(first, taint)
      ) {
        matches.push({ node: call, confidence: 'high' });
      } else if (
        filter.type === 'call_expression' &&
        calleeParts(filter).full === 'JSON.parse' &&
        taint.isTainted(first)
      ) {
        matches.push({ node: call, confidence: 'high' });
      }
    }
    return matches;
  },
});

const VM_METHODS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction']);
/** Sandboxes whose `run(code)` evaluates a string as JavaScript (vm2, sandbox): escapes are routinely found. */
const SANDBOX_CLASSES = new Set(['VM', 'NodeVM', 'vm2.VM', 'vm2.NodeVM', 'Sandbox']);
/** Constructors compiling their first argument as code (vm2's `VMScript`, Node's `vm.SourceTextModule`). */
const CODE_CONSTRUCTORS = new Set(['VMScript', 'vm2.VMScript', 'vm.SourceTextModule', 'SourceTextModule']);
/** Headless-browser methods running a string as page script (Puppeteer, Playwright); a function is not code text. */
const PAGE_EVAL_METHODS = new Set(['evaluate', 'evaluateOnNewDocument', 'evaluateHandle', 'addInitScript']);
const PAGE_OBJECT = /(?:^|\.)(?:page|frame|tab|browserPage)$/i;

/** True when the receiver of a call is (a variable bound to) `new C(…)` with C one of the classes. */
function constructedFrom(receiver: Node | null, classes: ReadonlySet<string>, taint: TaintAnalysis): boolean {
  if (!receiver) return false;
  const value = taint.resolve(receiver);
  return value.type === 'new_expression' && classes.has(calleeParts(value).full);
}

export const codeInjection: Rule = defineRule({
  id: 'js.code-injection',
  issueType: 'code_injection',
  cwe: 'CWE-95',
  severity: 'critical',
  message: 'Code evaluated from non-constant data: an attacker can run arbitrary JavaScript.',
  remediation:
    'Do not evaluate strings as code: parse data with `JSON.parse`, map names to functions with an allow-list, and pass functions (not strings) to `setTimeout`/`setInterval`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      let checked: Node[] = [];
      let anyUnknown = true;
      if (full === 'eval' || full === 'window.eval' || full === 'globalThis.eval') checked = args.slice(0, 1);
      else if (full === 'Function') checked = args;
      else if ((object === 'vm' && VM_METHODS.has(method)) || full === 'vm.Script' || full === 'Script') {
        if (full === 'Script' && call.type !== 'new_expression') continue;
        checked = args.slice(0, 1);
      } else if (
        method === 'run' &&
        call.type === 'call_expression' &&
        constructedFrom(calleeOf(call)?.childForFieldName('object') ?? null, SANDBOX_CLASSES, taint)
      ) {
        checked = args.slice(0, 1);
      } else if (call.type === 'new_expression' && CODE_CONSTRUCTORS.has(full)) {
        checked = args.slice(0, 1);
      } else if (PAGE_EVAL_METHODS.has(method) && PAGE_OBJECT.test(object)) {
        const first = args[0];
        if (!first || !['string', 'template_string', 'binary_expression'].includes(taint.resolve(first).type)) continue;
        checked = [first];
        anyUnknown = false;
      } else if (
        ['setTimeout', 'setInterval', 'setImmediate', 'window.setTimeout', 'window.setInterval'].includes(full)
      ) {
        const first = args[0];
        if (!first) continue;
        const value = taint.resolve(first);
        // a string is evaluated as code; request data is a string, never a function
        if (!['string', 'template_string', 'binary_expression'].includes(value.type) && !taint.isTainted(first))
          continue;
        checked = [first];
        anyUnknown = false;
      } else continue;
      const confidences = checked.map((a) => sinkConfidence(a, taint, anyUnknown));
      const confidence = confidences.includes('high') ? 'high' : confidences.includes('medium') ? 'medium' : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});

const FS_METHODS = new Set([
  'readFile',
  'readFileSync',
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'createReadStream',
  'createWriteStream',
  'open',
  'openSync',
  'unlink',
  'unlinkSync',
  'rm',
  'rmSync',
  'readdir',
  'readdirSync',
  'copyFile',
  'copyFileSync',
  'rename',
  'renameSync',
  'mkdir',
  'mkdirSync',
]);
const RESPONSE_OBJECTS = new Set(['res', 'response', 'reply', 'ctx', 'ctx.res']);

export const pathTraversal: Rule = defineRule({
  id: 'js.path-traversal',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message: 'File path built from request data: `../` sequences can reach files outside the intended folder.',
  remediation:
    'Resolve the path (`path.resolve(base, name)`) and check it `startsWith(base + path.sep)` before use, or keep only `path.basename(name)`; prefer an allow-list of file names.',
  check({ root }, taint) {
    const fsNames = moduleNames(root, ['fs', 'fs/promises', 'fs-extra']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      const isFs =
        FS_METHODS.has(method) &&
        (object
          ? fsNames.has(object) || ['fs', 'fsp', 'fse', 'fs.promises', 'fsPromises'].includes(object)
          : fsNames.has(method));
      const isSend = ['sendFile', 'download', 'attachment'].includes(method) && RESPONSE_OBJECTS.has(object);
      if (!isFs && !isSend) continue;
      const args = callArguments(call);
      const checked = ['copyFile', 'copyFileSync', 'rename', 'renameSync'].includes(method)
        ? args.slice(0, 2)
        : args.slice(0, 1);
      if (isSend) {
        const options = args[1] ? propertyOf(args[1], 'root') : undefined;
        if (options) continue; // `root` makes send reject paths that leave it
      }
      const confidences = checked.map((a) => sinkConfidence(a, taint));
      const confidence = confidences.includes('high') ? 'high' : confidences.includes('medium') ? 'medium' : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});

const HTTP_CLIENTS = new Set([
  'fetch',
  'axios',
  'got',
  'request',
  'needle',
  'superagent',
  'ky',
  'undici.request',
  '$fetch',
  'ofetch',
]);
const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'stream']);

/** The URL argument of an HTTP client call, or undefined when the call is not one. */
export function requestUrl(call: Node): Node | undefined {
  if (call.type !== 'call_expression') return undefined;
  const { full, object, method } = calleeParts(call);
  const isClient =
    HTTP_CLIENTS.has(full) ||
    (HTTP_METHODS.has(method) &&
      (HTTP_CLIENTS.has(object) || ['http', 'https', 'client', 'api', 'axiosInstance'].includes(object)));
  // a headless browser opening a page (Puppeteer, Playwright): `page.goto(url)`
  const isBrowser = method === 'goto' && PAGE_OBJECT.test(object);
  if (!isClient && !isBrowser) return undefined;
  const first = callArguments(call)[0];
  if (!first) return undefined;
  return unwrap(first).type === 'object'
    ? (propertyOf(first, 'url') ?? propertyOf(first, 'hostname') ?? propertyOf(first, 'host'))
    : first;
}

/** True when the URL starts with a constant scheme and host, so only its path or query can vary. */
function fixedHost(url: Node): boolean {
  const first =
    url.type === 'template_string'
      ? url.namedChildren[0]
      : url.type === 'binary_expression'
        ? url.childForFieldName('left')
        : null;
  const prefix = first?.type === 'string_fragment' ? first.text : first ? stringValue(first) : undefined;
  return prefix !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/]+\//i.test(prefix);
}

/**
 * True when a URL starts with a value the program configured (`config.base + req.query.path`,
 * `` `${API}/${id}` ``, `process.env.API_URL + path`): its scheme and host come from the program, the
 * request only chooses what follows. Configured means an environment variable, a module-level binding or
 * import, or a global the file does not declare (injected configuration), or a member of one; a request
 * object (`req.protocol`, `req.headers.host`) or a parameter of the function around is not, whatever its
 * taint.
 */
function trustedHead(url: Node, taint: TaintAnalysis, root: Node): boolean {
  let head: Node | null | undefined = url;
  for (let depth = 0; head && depth < 8; depth++) {
    if (head.type === 'binary_expression' && head.childForFieldName('operator')?.text === '+')
      head = head.childForFieldName('left');
    else if (head.type === 'parenthesized_expression') head = head.namedChild(0);
    else break;
  }
  if (head && head.id === url.id && url.type === 'template_string') {
    const first = url.namedChildren[0];
    head = first?.type === 'template_substitution' && url.namedChildren.length > 1 ? first.namedChild(0) : null;
  } else if (head?.id === url.id) return false;
  if (!head || head.type === 'string' || head.type === 'template_string' || taint.isTainted(head)) return false;
  const value = unwrap(taint.resolve(head));
  const name = dottedName(value);
  if (!name) return false;
  if (name.startsWith('process.env.')) return true;
  const base = name.split('.')[0]!;
  if (REQUEST_NAMES.has(base)) return false;
  return moduleConstants(root).has(base) || !declaresLocally(value, base);
}

/** Names a handler's request (or event) object goes by: never a configured value. */
const REQUEST_NAMES = new Set(['req', 'request', 'ctx', 'context', 'event', 'res', 'reply']);

/** Whether a function around `node` binds `name` itself (a parameter or local that hides the module's). */
function declaresLocally(node: Node, name: string): boolean {
  for (let scope = enclosingFunction(node); scope; scope = enclosingFunction(scope)) {
    for (const identifier of scope.descendantsOfType(['identifier', 'shorthand_property_identifier_pattern'])) {
      if (identifier.text !== name) continue;
      const parent = identifier.parent;
      if (
        parent &&
        (['formal_parameters', 'required_parameter', 'optional_parameter'].includes(parent.type) ||
          (parent.type === 'variable_declarator' && parent.childForFieldName('name')?.id === identifier.id))
      )
        return true;
    }
  }
  return false;
}

export const ssrf: Rule = defineRule({
  id: 'js.ssrf',
  issueType: 'ssrf',
  cwe: 'CWE-918',
  severity: 'high',
  message:
    'Outgoing request to a URL built from request data: an attacker can make the server reach internal services.',
  remediation:
    'Allow-list the hosts the server may contact, build URLs from a constant base with `new URL(path, BASE)`, and block private and link-local addresses.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const url = requestUrl(call);
      if (!url || fixedHost(taint.resolve(url)) || trustedHead(taint.resolve(url), taint, root)) continue;
      const confidence = sinkConfidence(url, taint);
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});

const HTML_PROPERTIES = new Set(['innerHTML', 'outerHTML']);
const ANGULAR_BYPASS = /^bypassSecurityTrust(Html|Script|Style|Url|ResourceUrl)$/;
const HTML_TYPES = /html|xml|svg/i;

/** The content type a handler sets on its response (`writeHead(200, {'Content-Type': …})`, `res.type('json')`…). */
function declaredContentType(call: Node, response: string): string | undefined {
  const scope = enclosingFunction(call);
  if (!scope) return undefined;
  for (const other of callsIn(scope)) {
    if (other.startIndex > call.startIndex) break;
    const { object, method } = calleeParts(other);
    if (object !== response) continue;
    const args = callArguments(other);
    if (method === 'json' || method === 'jsonp') return 'application/json';
    if (method === 'type' || method === 'contentType') return stringValue(args[0]);
    if (['setHeader', 'header', 'set'].includes(method) && stringValue(args[0])?.toLowerCase() === 'content-type')
      return stringValue(args[1]);
    if (method === 'writeHead') {
      const headers = args.find((a) => unwrap(a).type === 'object');
      const type = headers ? (propertyOf(headers, 'Content-Type') ?? propertyOf(headers, 'content-type')) : undefined;
      if (type) return stringValue(type);
    }
  }
  return undefined;
}

/** Whether the file loads Fastify (`require('fastify')`, `import Fastify from 'fastify'`). */
function usesFastify(root: Node): boolean {
  for (const node of root.descendantsOfType(['import_statement', 'call_expression'])) {
    const source =
      node.type === 'import_statement'
        ? node.childForFieldName('source')
        : node.childForFieldName('function')?.text === 'require'
          ? callArguments(node)[0]
          : undefined;
    if (stringValue(source) === 'fastify') return true;
  }
  return false;
}

/** Whether an expression builds markup: a string or template whose constant text contains a tag. */
function buildsHtml(node: Node): boolean {
  return isStringBuilding(node) && /<[a-zA-Z!/]/.test(constantText(node));
}

export const xss: Rule = defineRule({
  id: 'js.xss',
  issueType: 'xss',
  cwe: 'CWE-79',
  severity: 'high',
  message: 'Non-constant data written as HTML: an attacker can inject scripts into the page.',
  remediation:
    'Use `textContent` or framework bindings that escape by default; when HTML is really needed, sanitise it with DOMPurify first and set a Content-Security-Policy.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const assignment of root.descendantsOfType(['assignment_expression', 'augmented_assignment_expression'])) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'member_expression' || !right) continue;
      const property = left.childForFieldName('property')?.text ?? '';
      if (HTML_PROPERTIES.has(property)) {
        const confidence = sinkConfidence(right, taint, true);
        if (confidence) matches.push({ node: assignment, confidence });
      } else if (
        property === 'body' &&
        ['ctx', 'ctx.response', 'context'].includes(dottedName(left.childForFieldName('object')) ?? '')
      ) {
        // Koa: a string body is sent as text/html
        const value = taint.resolve(right);
        if (buildsHtml(value) && taint.isTainted(right)) matches.push({ node: assignment, confidence: 'high' });
      }
    }
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      let value: Node | undefined;
      let anyUnknown = true;
      if (full === 'document.write' || full === 'document.writeln') value = args[0];
      else if (method === 'insertAdjacentHTML' && object) value = args[1];
      else if (['send', 'write', 'end'].includes(method) && RESPONSE_OBJECTS.has(object)) {
        value = args[0];
        anyUnknown = false;
        if (value && taint.level(value) !== 'tainted') continue;
        // `res.send({ … })` / `res.send([…])` serialises the value as JSON: no markup is written
        if (method === 'send' && value && ['object', 'array'].includes(unwrap(taint.resolve(value)).type)) continue;
        const type = declaredContentType(call, object);
        if (type !== undefined && !HTML_TYPES.test(type)) continue;
        // Fastify sends a string as text/plain and an object as JSON unless the handler declares HTML
        if (type === undefined && method === 'send' && (object === 'reply' || usesFastify(root))) continue;
      }
      const confidence = value ? sinkConfidence(value, taint, anyUnknown) : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    for (const call of callsIn(root)) {
      // Angular: `DomSanitizer.bypassSecurityTrustHtml(x)` marks x as trusted, so the template renders it unsanitised
      if (call.type !== 'call_expression' || !ANGULAR_BYPASS.test(calleeParts(call).method)) continue;
      const value = callArguments(call)[0];
      const confidence = value ? sinkConfidence(value, taint, true) : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    for (const attribute of root.descendantsOfType('jsx_attribute')) {
      if (attribute.namedChild(0)?.text !== 'dangerouslySetInnerHTML') continue;
      const expression = attribute.namedChildren.find((c) => c.type === 'jsx_expression')?.namedChild(0);
      if (!expression) continue;
      const html = propertyOf(taint.resolve(expression), '__html');
      const confidence = html ? sinkConfidence(html, taint, true) : sinkConfidence(expression, taint, true);
      if (confidence) matches.push({ node: attribute, confidence });
    }
    return matches;
  },
});

/** The constant text a URL starts with, through variables: `` `${BASE}/x` `` with `BASE = 'https://h'`. */
export function leadingText(node: Node, taint: TaintAnalysis, depth = 0): string | undefined {
  const target = taint.resolve(node);
  if (depth > 4) return undefined;
  const constant = stringValue(target);
  if (constant !== undefined) return constant;
  if (target.type === 'template_string') {
    let text = '';
    for (const child of target.namedChildren) {
      if (child.type === 'string_fragment') text += child.text;
      else if (child.type === 'template_substitution' && child.namedChild(0)) {
        const inner = leadingText(child.namedChild(0)!, taint, depth + 1);
        const whole = inner !== undefined && stringValue(taint.resolve(child.namedChild(0)!)) !== undefined;
        if (inner === undefined) return text;
        text += inner;
        if (!whole) return text;
      } else if (child.type === 'escape_sequence') return text;
    }
    return text;
  }
  if (target.type === 'binary_expression' && target.childForFieldName('operator')?.text === '+') {
    const left = target.childForFieldName('left');
    const right = target.childForFieldName('right');
    const head = left ? leadingText(left, taint, depth + 1) : undefined;
    if (head === undefined || !left || stringValue(taint.resolve(left)) === undefined) return head;
    const tail = right ? leadingText(right, taint, depth + 1) : undefined;
    return head + (tail ?? '');
  }
  return undefined;
}

const LOCATION_OBJECTS = new Set(['location', 'window.location', 'document.location', 'window.top.location']);

/** `new URL('/path', base)`: only the origin of `base`, with a fixed path, so not a redirect elsewhere. */
function fixedPathUrl(node: Node): boolean {
  if (node.type !== 'new_expression' || calleeParts(node).full !== 'URL') return false;
  const path = stringValue(callArguments(node)[0]);
  return path !== undefined && path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}

export const openRedirect: Rule = defineRule({
  id: 'js.open-redirect',
  issueType: 'open_redirect',
  cwe: 'CWE-601',
  severity: 'medium',
  message: 'Redirect to a URL taken from the request: an attacker can send users to a phishing site.',
  remediation:
    'Redirect only to relative paths or to an allow-list of hosts; reject absolute and protocol-relative (`//`) URLs.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const report = (node: Node, target: Node | undefined) => {
      if (!target) return;
      const resolved = taint.resolve(target);
      if (fixedHost(resolved) || fixedPathUrl(resolved) || trustedHead(resolved, taint, root)) return;
      const prefix = leadingText(target, taint);
      if (prefix?.startsWith('/') && !prefix.startsWith('//') && !prefix.startsWith('/\\')) return;
      if (taint.isTainted(target)) matches.push({ node, confidence: 'high' });
    };
    for (const call of callsIn(root)) {
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      if (method === 'redirect' && (RESPONSE_OBJECTS.has(object) || ['NextResponse', 'Response'].includes(object)))
        report(call, object.endsWith('Response') ? args[0] : args.at(-1));
      else if (full === 'redirect' || full === 'permanentRedirect')
        report(call, args[0]); // next/navigation
      else if (method === 'location' && RESPONSE_OBJECTS.has(object)) report(call, args[0]);
      else if (['assign', 'replace'].includes(method) && LOCATION_OBJECTS.has(object)) report(call, args[0]);
      else if (['setHeader', 'header', 'set', 'append'].includes(method) && RESPONSE_OBJECTS.has(object)) {
        if (stringValue(args[0])?.toLowerCase() === 'location') report(call, args[1]);
      } else if (method === 'writeHead' && RESPONSE_OBJECTS.has(object)) {
        const headers = args.find((a) => unwrap(a).type === 'object');
        report(call, headers ? (propertyOf(headers, 'Location') ?? propertyOf(headers, 'location')) : undefined);
      }
    }
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = dottedName(assignment.childForFieldName('left'));
      const right = assignment.childForFieldName('right');
      if (!right || !left) continue;
      if (LOCATION_OBJECTS.has(left) || (left.endsWith('.href') && LOCATION_OBJECTS.has(left.slice(0, -5))))
        report(assignment, right);
    }
    return matches;
  },
});

/** js-yaml options selecting a schema that builds functions (`DEFAULT_FULL_SCHEMA`, js-yaml-js-types). */
function unsafeYamlSchema(options: Node | undefined): boolean {
  const schema = propertyOf(options, 'schema');
  return schema !== undefined && /FULL_SCHEMA|js-types|jsTypes/.test(schema.text);
}

export const insecureDeserialization: Rule = defineRule({
  id: 'js.insecure-deserialization',
  issueType: 'insecure_deserialization',
  cwe: 'CWE-502',
  severity: 'high',
  message: 'Untrusted data deserialised with a library that can run code.',
  remediation:
    'Do not use `node-serialize`; exchange data as JSON (`JSON.parse`). With js-yaml, use version 4+ `load` or `safeLoad` on older versions.',
  check({ root }, taint) {
    const serializers = moduleNames(root, ['node-serialize', 'serialize-to-js', 'funcster', 'cryo']);
    const yaml = moduleNames(root, ['js-yaml']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      const first = callArguments(call)[0];
      if (!first) continue;
      if (
        ['unserialize', 'deserialize', 'deepDeserialize', 'parse'].includes(method) &&
        (serializers.has(object) || serializers.has(method))
      ) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence) matches.push({ node: call, confidence });
      } else if (['load', 'loadAll'].includes(method) && yaml.has(object) && unsafeYamlSchema(callArguments(call)[1])) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence)
          matches.push({
            node: call,
            confidence,
            message:
              'js-yaml with the full schema constructs JavaScript functions and regular expressions from the document.',
          });
      } else if (method === 'load' && yaml.has(object) && callArguments(call).length === 1 && taint.isTainted(first)) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'medium',
          message:
            'js-yaml `load` before version 4 constructs JavaScript functions from request data; use `safeLoad` or upgrade.',
        });
      }
    }
    return matches;
  },
});

export const INJECTION_RULES: readonly Rule[] = [
  sqlInjection,
  nosqlInjection,
  codeInjection,
  pathTraversal,
  ssrf,
  xss,
  openRedirect,
  insecureDeserialization,
];
