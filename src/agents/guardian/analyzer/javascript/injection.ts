import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, stringValue, unwrap } from './taint.js';
import {
  callArguments,
  calleeParts,
  callsIn,
  defineRule,
  isStringBuilding,
  moduleNames,
  propertyOf,
  sinkConfidence,
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
const SQL_KEYWORDS = /\b(select|insert|update|delete|from|where|order\s+by|values|drop|create|alter|union|join)\b/i;

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
      const { object, method } = calleeParts(call);
      if (!SQL_METHODS.has(method) || (!object && !method.startsWith('$'))) continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const built = taint.resolve(first);
      const sqlish = SQL_KEYWORDS.test(constantText(built)) || SQL_KEYWORDS.test(stringValue(built) ?? '');
      const level = taint.level(first);
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
      const { object, method } = calleeParts(call);
      if (!NOSQL_METHODS.has(method) || !object) continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const filter = taint.resolve(first);
      if (filter.type === 'object') {
        const where = propertyOf(filter, '$where');
        if (where) {
          const confidence = taint.level(where) === 'tainted' ? 'high' : 'medium';
          matches.push({ node: call, confidence, message: '`$where` runs JavaScript on the database server.' });
          continue;
        }
        const direct = filter.namedChildren.some((pair) => {
          const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
          if (!value) return false;
          const target = unwrap(value);
          return target.type !== 'call_expression' && target.type !== 'template_string' && taint.isTainted(target);
        });
        if (direct) matches.push({ node: call, confidence: 'high' });
      } else if (filter.type !== 'call_expression' && filter.type !== 'string' && taint.isTainted(first)) {
        matches.push({ node: call, confidence: 'high' });
      }
    }
    return matches;
  },
});

const EXEC_METHODS = new Set(['exec', 'execSync']);
const SPAWN_METHODS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);

export const commandInjection: Rule = defineRule({
  id: 'js.command-injection',
  issueType: 'command_injection',
  cwe: 'CWE-78',
  severity: 'critical',
  message: 'Shell command built from non-constant data: an attacker can run arbitrary commands.',
  remediation:
    'Use `execFile`/`spawn` with a constant program and an argument array, without `shell: true`; validate arguments against an allow-list.',
  check({ root, code }, taint) {
    if (!/child_process|execa|shelljs/.test(code)) return [];
    const modules = moduleNames(code, ['child_process', 'shelljs']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      if (object && !modules.has(object) && !['child_process', 'cp', 'childProcess', 'shell'].includes(object))
        continue;
      const args = callArguments(call);
      const first = args[0];
      if (!first) continue;
      if (EXEC_METHODS.has(method)) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence) matches.push({ node: call, confidence });
      } else if (SPAWN_METHODS.has(method)) {
        const options = args.find((a) => unwrap(a).type === 'object');
        const shell = options ? propertyOf(options, 'shell') : undefined;
        const usesShell = shell !== undefined && shell.type !== 'false';
        const checked = usesShell ? args.filter((a) => a !== options) : [first];
        const levels = checked.map((a) => sinkConfidence(a, taint, usesShell));
        const confidence = levels.includes('high') ? 'high' : levels.includes('medium') ? 'medium' : undefined;
        if (confidence) matches.push({ node: call, confidence });
      }
    }
    return matches;
  },
});

const VM_METHODS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction']);

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
        ['setTimeout', 'setInterval', 'setImmediate', 'window.setTimeout', 'window.setInterval'].includes(full)
      ) {
        const first = args[0];
        if (!first) continue;
        const value = taint.resolve(first);
        if (!['string', 'template_string', 'binary_expression'].includes(value.type)) continue;
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
  check({ root, code }, taint) {
    const fsNames = moduleNames(code, ['fs', 'fs/promises', 'fs-extra']);
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
  if (!isClient) return undefined;
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
      if (!url || fixedHost(taint.resolve(url))) continue;
      const confidence = sinkConfidence(url, taint);
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});

const HTML_PROPERTIES = new Set(['innerHTML', 'outerHTML']);

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
      if (!HTML_PROPERTIES.has(left.childForFieldName('property')?.text ?? '')) continue;
      const confidence = sinkConfidence(right, taint, true);
      if (confidence) matches.push({ node: assignment, confidence });
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
      }
      const confidence = value ? sinkConfidence(value, taint, anyUnknown) : undefined;
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
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      if (method !== 'redirect' || !RESPONSE_OBJECTS.has(object)) continue;
      const target = callArguments(call).at(-1);
      if (!target || fixedHost(taint.resolve(target))) continue;
      const resolved = taint.resolve(target);
      const first =
        resolved.type === 'template_string'
          ? resolved.namedChildren[0]
          : resolved.type === 'binary_expression'
            ? resolved.childForFieldName('left')
            : null;
      const prefix = first?.type === 'string_fragment' ? first.text : first ? stringValue(first) : undefined;
      if (prefix?.startsWith('/') && !prefix.startsWith('//')) continue;
      const confidence = sinkConfidence(target, taint);
      if (confidence) matches.push({ node: call, confidence });
    }
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = dottedName(assignment.childForFieldName('left'));
      const right = assignment.childForFieldName('right');
      if (!right || !left || !/^(window\.|document\.)?location(\.href)?$/.test(left)) continue;
      if (taint.isTainted(right)) matches.push({ node: assignment, confidence: 'high' });
    }
    return matches;
  },
});

export const insecureDeserialization: Rule = defineRule({
  id: 'js.insecure-deserialization',
  issueType: 'insecure_deserialization',
  cwe: 'CWE-502',
  severity: 'high',
  message: 'Untrusted data deserialised with a library that can run code.',
  remediation:
    'Do not use `node-serialize`; exchange data as JSON (`JSON.parse`). With js-yaml, use version 4+ `load` or `safeLoad` on older versions.',
  check({ root, code }, taint) {
    const serializers = moduleNames(code, ['node-serialize', 'serialize-to-js']);
    const yaml = moduleNames(code, ['js-yaml']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      const first = callArguments(call)[0];
      if (!first) continue;
      if (
        (method === 'unserialize' || method === 'deserialize') &&
        (serializers.has(object) || serializers.has(method))
      ) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence) matches.push({ node: call, confidence });
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
  commandInjection,
  codeInjection,
  pathTraversal,
  ssrf,
  xss,
  openRedirect,
  insecureDeserialization,
];
