import type { Node } from 'web-tree-sitter';
import type { Fix, RuleMatch } from '../finding.js';
import { catastrophicBacktracking } from '../regex.js';
import type { Rule } from '../rule.js';
import {
  argument,
  callParts,
  children,
  descendants,
  enclosingFunction,
  isRouteHandler,
  isStringBuilding,
  isTrue,
  leadingConstant,
  stringValue,
  type CallParts,
} from './ast.js';
import { shellFix } from './shell-fix.js';
import { confidenceFor, dictionaryPairs, factsOf, match, named, pythonRule, severityFor } from './support.js';
import { join, type SinkKind, type TaintAnalysis } from './taint.js';

/**
 * A sink rule: for every call the `sink` recognises, the level of the arguments it returns decides the
 * finding — high confidence when data flows from a source, medium for non-constant data of unknown origin
 * when `reportUnknown` allows it, nothing for constant or sanitised data.
 */
interface SinkRuleSpec {
  readonly id: string;
  readonly issueType: string;
  readonly cwe: string;
  readonly severity: Rule['severity'];
  readonly unknownSeverity?: Rule['severity'];
  readonly message: string;
  readonly remediation: string;
  readonly kind: SinkKind;
  sink(parts: CallParts, taint: TaintAnalysis): readonly (Node | undefined)[] | undefined;
  reportUnknown(arg: Node, taint: TaintAnalysis, parts: CallParts): boolean;
  /** data that cannot reach the dangerous part of the sink (e.g. a URL with a fixed host) */
  harmless?(arg: Node): boolean;
  /** a safe, minimal rewrite of the call, when there is one */
  fix?(parts: CallParts): Fix | undefined;
}

function sinkRule(spec: SinkRuleSpec): Rule {
  return pythonRule({
    id: spec.id,
    issueType: spec.issueType,
    cwe: spec.cwe,
    severity: spec.severity,
    message: spec.message,
    remediation: spec.remediation,
    check(_context, { taint, calls }) {
      const matches: RuleMatch[] = [];
      for (const parts of calls) {
        const args = spec.sink(parts, taint)?.filter((arg): arg is Node => arg !== undefined);
        if (!args?.length) continue;
        const relevant = args.filter((arg) => !spec.harmless?.(arg));
        const level = join(...relevant.map((arg) => taint.level(arg, spec.kind)));
        const confidence = confidenceFor(
          level,
          relevant.some((arg) => spec.reportUnknown(arg, taint, parts)),
        );
        if (!confidence) continue;
        const fix = spec.fix?.(parts);
        matches.push(
          match(parts.call, confidence, {
            severity: severityFor(confidence, spec.severity, spec.unknownSeverity ?? 'medium'),
            ...(fix ? { fix } : {}),
          }),
        );
      }
      return matches;
    },
  });
}

const always = () => true;
const never = () => false;

/** Whether an argument is a string built by formatting, directly or through the variable it names. */
function builtString(arg: Node, taint: TaintAnalysis): boolean {
  if (isStringBuilding(arg)) return true;
  if (arg.type !== 'identifier') return false;
  const binding = taint.bindingAt(arg.text, arg);
  return isStringBuilding(binding?.value) || binding?.augmented === true;
}

/** `https://host/…` or `/path…`: the destination's origin is fixed by a constant prefix. */
const FIXED_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#{]+[/?#]/i;
const fixedOrigin = (arg: Node) => FIXED_ORIGIN.test(leadingConstant(arg) ?? '');
const fixedLocalPath = (arg: Node) => {
  const prefix = leadingConstant(arg) ?? '';
  return FIXED_ORIGIN.test(prefix) || (/^\/[^/\\]/.test(prefix) && prefix.length > 1);
};

const SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'raw', 'mogrify']);
const SQL_TEXT = new Set([
  'sqlalchemy.text',
  'sqlalchemy.sql.text',
  'sqlalchemy.sql.expression.text',
  'django.db.models.expressions.RawSQL',
  'django.db.models.RawSQL',
]);

/** asyncpg's (and databases'/aiosqlite's) query methods: generic names, sinks only for text that reads as SQL. */
const SQL_QUERY_METHODS = new Set(['fetch', 'fetchrow', 'fetchval', 'fetch_all', 'fetch_one', 'fetch_val']);
const SQL_STATEMENT = /^\s*\(?\s*(select|insert|update|delete|with|replace|merge|create|drop|alter)\s/i;

/** Whether a query argument starts with SQL text, directly or through the variable it names. */
function sqlText(arg: Node | undefined, taint: TaintAnalysis): boolean {
  if (!arg) return false;
  const value = arg.type === 'identifier' ? taint.bindingAt(arg.text, arg)?.value : arg;
  return SQL_STATEMENT.test(leadingConstant(value) ?? '');
}

export const sqlInjection = sinkRule({
  id: 'py.sql-injection',
  issueType: 'sql_injection',
  cwe: 'CWE-89',
  severity: 'high',
  message: 'SQL query built from untrusted data: an attacker can change the query.',
  remediation:
    'Pass values as query parameters (`cursor.execute("… WHERE id = %s", (value,))`, SQLAlchemy bound parameters) instead of formatting them into the SQL string.',
  kind: 'sql',
  sink(parts, taint) {
    if (parts.method && SQL_QUERY_METHODS.has(parts.method) && parts.receiver) {
      const query = argument(parts, 0, 'query');
      return sqlText(query, taint) ? [query] : undefined;
    }
    if (parts.method === 'extra' && parts.receiver) return [...parts.positional, ...parts.keywords.values()];
    if ((parts.method && SQL_METHODS.has(parts.method) && parts.receiver) || named(parts, SQL_TEXT))
      return [argument(parts, 0, 'sql') ?? argument(parts, 0, 'operation') ?? argument(parts, 0, 'raw_query')];
    return undefined;
  },
  reportUnknown: builtString,
});

const NOSQL_METHODS = new Set([
  'find',
  'find_one',
  'find_one_and_update',
  'find_one_and_delete',
  'find_one_and_replace',
  'update_one',
  'update_many',
  'delete_one',
  'delete_many',
  'count_documents',
  'aggregate',
]);

export const nosqlInjection = pythonRule({
  id: 'py.nosql-injection',
  issueType: 'nosql_injection',
  cwe: 'CWE-943',
  severity: 'high',
  message: 'MongoDB query built from untrusted data: operators such as `$where` or `$ne` can be injected.',
  remediation:
    'Build the filter from validated scalar values (`{"name": str(value)}`), never pass a client-supplied object as the filter, and do not use `$where`.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (!parts.method || !NOSQL_METHODS.has(parts.method) || !parts.receiver) continue;
      const filter = argument(parts, 0, 'filter');
      if (!filter || parts.receiver.type === 'string') continue;
      // a string receiver is `str.find`, not a collection
      if (taint.level(parts.receiver) === 'tainted') continue;
      const where = dictionaryPairs(filter).find((pair) => stringValue(pair.key) === '$where');
      if (where) {
        const confidence = confidenceFor(taint.level(where.value, 'nosql'), true);
        if (confidence) matches.push(match(parts.call, confidence));
        continue;
      }
      if (filter.type !== 'dictionary' && taint.level(filter, 'nosql') === 'tainted')
        matches.push(match(parts.call, 'high'));
    }
    return matches;
  },
});

const SHELL_CALLS = new Set([
  'os.system',
  'os.popen',
  'os.popen2',
  'os.popen3',
  'os.popen4',
  'commands.getoutput',
  'commands.getstatusoutput',
  'subprocess.getoutput',
  'subprocess.getstatusoutput',
]);
const SUBPROCESS = new Set([
  'subprocess.call',
  'subprocess.run',
  'subprocess.Popen',
  'subprocess.check_output',
  'subprocess.check_call',
  'asyncio.create_subprocess_shell',
]);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', '/bin/sh', '/bin/bash', '/usr/bin/bash', 'cmd', 'cmd.exe']);

/** `os.exec*`/`os.spawn*`: the index of the program argument (`spawn*` take a mode first). */
function execProgramIndex(name: string | undefined): number | undefined {
  if (!name) return undefined;
  if (/^os\.exec(l|le|lp|lpe|v|ve|vp|vpe)$/.test(name)) return 0;
  if (/^os\.spawn(l|le|lp|lpe|v|ve|vp|vpe)$/.test(name)) return 1;
  if (name === 'os.posix_spawn' || name === 'os.posix_spawnp') return 0;
  return undefined;
}

/** The items of a list/tuple literal, directly or through the variable bound to it. */
function listItems(node: Node | undefined, taint: TaintAnalysis): Node[] | undefined {
  let value = node;
  if (value?.type === 'identifier') value = taint.bindingAt(value.text, value)?.value;
  return value && (value.type === 'list' || value.type === 'tuple') ? children(value) : undefined;
}

/** `[shell, "-c", script]`: the script is a shell command line. */
function shellScript(items: readonly (Node | undefined)[]): Node | undefined {
  const at = items.findIndex((item) => ['-c', '/c', '/C'].includes(stringValue(item) ?? ''));
  if (at < 1) return undefined;
  const shell = items
    .slice(0, at)
    .some((item) => SHELLS.has(stringValue(item) ?? '') || /\/(ba|z|da|k)?sh$/.test(stringValue(item) ?? ''));
  // `-c` after anything but a shell is an ordinary flag (`ping -c 3`, `wc -c`, `grep -c`)
  return shell ? items[at + 1] : undefined;
}

/**
 * The argument that only chooses the program to run, when no shell parses the call's arguments: reported
 * when it carries client data (the attacker picks the executable), not merely for being non-constant.
 */
function programArgument(parts: CallParts, taint: TaintAnalysis): Node | undefined {
  const execAt = execProgramIndex(parts.name);
  if (execAt !== undefined) return argument(parts, execAt, 'path') ?? argument(parts, execAt, 'file');
  if (!named(parts, SUBPROCESS) || isTrue(parts.keywords.get('shell'))) return undefined;
  if (parts.name === 'asyncio.create_subprocess_shell') return undefined;
  const first = argument(parts, 0, 'args');
  const items = listItems(first, taint);
  return items ? items[0] : first;
}

export const commandInjection = sinkRule({
  id: 'py.command-injection',
  issueType: 'command_injection',
  cwe: 'CWE-78',
  severity: 'critical',
  unknownSeverity: 'high',
  message: 'Shell command built from non-constant data: an attacker can run arbitrary commands.',
  remediation:
    'Call `subprocess.run([...])` with an argument list and without `shell=True`; if a shell is unavoidable, quote every value with `shlex.quote`.',
  kind: 'command',
  sink(parts, taint) {
    if (named(parts, SHELL_CALLS)) return [argument(parts, 0, 'cmd') ?? argument(parts, 0, 'command')];
    const execAt = execProgramIndex(parts.name);
    if (execAt !== undefined) {
      const program = argument(parts, execAt, 'path') ?? argument(parts, execAt, 'file');
      const rest = parts.positional.slice(execAt + 1);
      // `os.execv(path, [argv0, "-c", script])` or `os.execl(path, argv0, "-c", script)`
      const argv =
        /v(p?e?)$/.test(parts.name!) || parts.name!.startsWith('os.posix_spawn') ? listItems(rest[0], taint) : rest;
      const script = shellScript([program, ...(argv ?? [])]);
      return [script ?? program];
    }
    if (!named(parts, SUBPROCESS)) return undefined;
    const first = argument(parts, 0, 'args');
    // `subprocess.run(["sh", "-c", script])`: the script is a shell command line
    const items = listItems(first, taint);
    if (items) {
      const script = shellScript(items);
      if (script) return [script];
    }
    if (isTrue(parts.keywords.get('shell')) || parts.name === 'asyncio.create_subprocess_shell')
      return [first ?? argument(parts, 0, 'cmd')];
    // without a shell, the first element (or the whole string) names the program; a command string whose
    // first word is constant (`"grep -R {} .".format(x)`) fixes the program and can only pass it arguments
    return [items ? items[0] : first];
  },
  reportUnknown: (arg, taint, parts) => arg.id !== programArgument(parts, taint)?.id,
  fix: shellFix,
});

/** Whether a call is an argument of the builtin `eval`/`exec`. */
function codeRunner(call: Node): boolean {
  const outer = call.parent?.type === 'argument_list' ? call.parent.parent : undefined;
  const callee = outer?.type === 'call' ? outer.childForFieldName('function') : undefined;
  return callee?.type === 'identifier' && ['eval', 'exec'].includes(callee.text);
}

export const codeInjection = sinkRule({
  id: 'py.code-injection',
  issueType: 'code_injection',
  cwe: 'CWE-95',
  severity: 'critical',
  unknownSeverity: 'high',
  message: 'Dynamic code evaluation of non-constant data: an attacker can run arbitrary Python code.',
  remediation:
    'Do not `eval`/`exec`/`compile` data; parse it instead (`json.loads`, `ast.literal_eval` for literals) or dispatch through an explicit mapping.',
  kind: 'code',
  sink(parts, taint) {
    const name = parts.callee.type === 'identifier' ? parts.callee.text : '';
    if (!['eval', 'exec', 'compile'].includes(name)) return undefined;
    // `compile` is also the name of common functions that evaluate nothing (`from re import compile`,
    // `from py_compile import compile`, a module's own `def compile`): only the builtin compiles code
    if (name === 'compile' && !taint.isBuiltin(name)) return undefined;
    // `exec(compile(source, …))`: one evaluation, reported at `exec`
    if (name === 'compile' && codeRunner(parts.call)) return undefined;
    return [argument(parts, 0, 'source')];
  },
  reportUnknown: always,
});

const FILE_CALLS: Readonly<Record<string, readonly number[]>> = {
  open: [0],
  'io.open': [0],
  'codecs.open': [0],
  'flask.send_file': [0],
  'os.remove': [0],
  'os.unlink': [0],
  'os.rmdir': [0],
  'os.removedirs': [0],
  'os.makedirs': [0],
  'os.mkdir': [0],
  'os.listdir': [0],
  'os.chmod': [0],
  'os.rename': [0, 1],
  'os.replace': [0, 1],
  'shutil.copy': [0, 1],
  'shutil.copy2': [0, 1],
  'shutil.copyfile': [0, 1],
  'shutil.copytree': [0, 1],
  'shutil.move': [0, 1],
  'shutil.rmtree': [0],
  'django.http.FileResponse': [0],
  'fastapi.responses.FileResponse': [0],
  'starlette.responses.FileResponse': [0],
};

const PATH_METHODS = new Set([
  'read_text',
  'read_bytes',
  'write_text',
  'write_bytes',
  'open',
  'unlink',
  'rmdir',
  'mkdir',
  'touch',
  'rename',
  'iterdir',
]);

/** A `pathlib` path: `Path(…)`, `BASE / name` with a path on the left, or a variable bound to one. */
function pathObject(node: Node, taint: TaintAnalysis, depth = 0): boolean {
  if (depth > 4) return false;
  if (node.type === 'parenthesized_expression') return children(node).some((c) => pathObject(c, taint, depth + 1));
  if (node.type === 'call')
    return /^pathlib\.(Pure)?(Posix|Windows)?Path$/.test(taint.qualified(node.childForFieldName('function')) ?? '');
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '/') {
    const left = node.childForFieldName('left');
    return left !== null && pathObject(left, taint, depth + 1);
  }
  if (node.type === 'identifier') {
    const value = taint.bindingAt(node.text, node)?.value;
    return value !== undefined && pathObject(value, taint, depth + 1);
  }
  return false;
}

export const pathTraversal = sinkRule({
  id: 'py.path-traversal',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message: 'File path built from untrusted data: `../` sequences can reach files outside the intended folder.',
  remediation:
    'Reduce the name with `werkzeug.utils.secure_filename`/`os.path.basename`, or resolve it with `os.path.realpath` and check it starts with the allowed base folder; Flask offers `send_from_directory`.',
  kind: 'path',
  sink(parts, taint) {
    // Own keys only: a call named `constructor` or `toString` must not find Object.prototype's members.
    const indexes = parts.name && Object.hasOwn(FILE_CALLS, parts.name) ? FILE_CALLS[parts.name] : undefined;
    if (indexes)
      return indexes.map((index) => parts.positional[index] ?? (index === 0 ? argument(parts, 0, 'file') : undefined));
    // `request.files["f"].save(path)`: an uploaded file stored under a client-chosen name
    // `(BASE / name).read_text()`, `Path(name).unlink()`: the receiver is the path
    if (parts.method && PATH_METHODS.has(parts.method) && parts.receiver && pathObject(parts.receiver, taint))
      return [parts.receiver];
    if (parts.method === 'save' && parts.receiver && taint.level(parts.receiver) === 'tainted')
      return [argument(parts, 0, 'dst')];
    return undefined;
  },
  reportUnknown: never,
});

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'stream'];
const HTTP_CLIENTS = new Set([
  ...['requests', 'httpx'].flatMap((module) => HTTP_VERBS.map((verb) => `${module}.${verb}`)),
  'urllib.request.urlopen',
  'urllib.request.Request',
  'urllib2.urlopen',
  'urllib.urlopen',
]);
/** `(method, url, …)`: the module-level request functions, and the request objects that a session sends. */
const HTTP_REQUEST = new Set([
  'requests.request',
  'httpx.request',
  'aiohttp.request',
  'urllib3.request',
  'requests.Request',
  'httpx.Request',
]);

/** Constructors of client objects whose methods send requests: sessions, clients, pools. */
const CLIENT_FACTORIES = new Set([
  'requests.Session',
  'requests.session',
  'httpx.Client',
  'httpx.AsyncClient',
  'aiohttp.ClientSession',
  'urllib3.PoolManager',
]);

/** Whether a receiver is a client object: `s = requests.Session()`, `async with httpx.AsyncClient() as c`. */
function clientObject(receiver: Node | undefined, taint: TaintAnalysis): boolean {
  if (!receiver) return false;
  let value: Node | undefined = receiver;
  if (receiver.type === 'identifier') value = taint.bindingAt(receiver.text, receiver)?.value;
  if (value?.type === 'await') value = children(value)[0];
  if (value?.type !== 'call') return false;
  return CLIENT_FACTORIES.has(taint.qualified(value.childForFieldName('function')) ?? '');
}

/** The URL argument of an HTTP client call, if the call is one. */
export function httpUrl(parts: CallParts, taint?: TaintAnalysis): Node | undefined {
  if (named(parts, HTTP_CLIENTS)) return argument(parts, 0, 'url');
  if (named(parts, HTTP_REQUEST)) return argument(parts, 1, 'url');
  if (taint && parts.method && clientObject(parts.receiver, taint)) {
    if (HTTP_VERBS.includes(parts.method)) return argument(parts, 0, 'url');
    if (parts.method === 'request' || parts.method === 'urlopen') return argument(parts, 1, 'url');
  }
  return undefined;
}

export const ssrf = sinkRule({
  id: 'py.ssrf',
  issueType: 'ssrf',
  cwe: 'CWE-918',
  severity: 'high',
  message: 'Server-side request to a URL controlled by the client: internal services can be reached.',
  remediation:
    'Do not take the host from the request: choose it from an allow-list, or fix the origin (`https://api.example.com/…`) and put only validated values in the path.',
  kind: 'url',
  sink: (parts, taint) => [httpUrl(parts, taint)],
  reportUnknown: never,
  harmless: fixedOrigin,
});

const REDIRECTS = new Set([
  'flask.redirect',
  'django.shortcuts.redirect',
  'django.http.HttpResponseRedirect',
  'django.http.HttpResponsePermanentRedirect',
  'fastapi.responses.RedirectResponse',
  'starlette.responses.RedirectResponse',
  'redirect',
]);

const redirectCalls = sinkRule({
  id: 'py.open-redirect',
  issueType: 'open_redirect',
  cwe: 'CWE-601',
  severity: 'medium',
  message: 'Redirect to a URL controlled by the client: users can be sent to a malicious site.',
  remediation:
    'Redirect only to relative paths or allow-listed hosts (check with `urllib.parse.urlparse(url).netloc`), or to a `url_for(...)` target.',
  kind: 'redirect',
  sink: (parts) =>
    named(parts, REDIRECTS) ? [argument(parts, 0, 'location') ?? argument(parts, 0, 'url')] : undefined,
  reportUnknown: never,
  harmless: fixedLocalPath,
});

/** `response.headers["Location"] = url` (Flask, Starlette), `response["Location"] = url` (Django). */
function locationHeaderTarget(target: Node | null): boolean {
  if (target?.type !== 'subscript') return false;
  return stringValue(target.childForFieldName('subscript'))?.toLowerCase() === 'location';
}

/** Redirect calls, and a client-chosen `Location` header set on a response. */
export const openRedirect: Rule = {
  ...redirectCalls,
  check(context) {
    const matches = redirectCalls.check(context);
    const { taint } = factsOf(context);
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const value = assignment.childForFieldName('right');
      if (!value || !locationHeaderTarget(assignment.childForFieldName('left'))) continue;
      if (fixedLocalPath(value) || taint.level(value, 'redirect') !== 'tainted') continue;
      matches.push(match(assignment, 'high', { severity: 'medium' }));
    }
    return matches;
  },
};

const RE_FUNCTIONS = ['compile', 'match', 'search', 'fullmatch', 'findall', 'finditer', 'sub', 'subn', 'split'];
const REGEX_CALLS = new Set(['re', 'regex'].flatMap((module) => RE_FUNCTIONS.map((fn) => `${module}.${fn}`)));

/** Whether a regular expression has a quantified group that itself contains a quantifier (`(a+)+`). */
export function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  const quantifierAt = (i: number) => {
    const c = pattern[i];
    return (
      c === '+' ||
      c === '*' ||
      (c === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i)) && !/^\{\d+\}/.test(pattern.slice(i)))
    );
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      const quantified = groups.pop() ?? false;
      if (quantified && quantifierAt(i + 1)) return true;
      if (quantified && groups.length) groups[groups.length - 1] = true;
    } else if (groups.length && quantifierAt(i)) groups[groups.length - 1] = true;
  }
  return false;
}

export const redos = pythonRule({
  id: 'py.redos',
  issueType: 'redos',
  cwe: 'CWE-1333',
  severity: 'medium',
  message: 'Regular expression exposed to catastrophic backtracking: a crafted input can hang the process.',
  remediation:
    'Escape client input with `re.escape` before using it in a pattern, and avoid nested quantifiers such as `(a+)+`; bound the input length or use a linear-time engine (`re2`).',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (!named(parts, REGEX_CALLS)) continue;
      const pattern = argument(parts, 0, 'pattern');
      if (!pattern) continue;
      const constant = stringValue(pattern);
      if (constant !== undefined) {
        if (catastrophicBacktracking(constant))
          matches.push(
            match(parts.call, 'medium', {
              message: `Regular expression \`${constant}\` has nested quantifiers and can backtrack catastrophically.`,
            }),
          );
      } else if (taint.level(pattern, 'regex') === 'tainted') {
        matches.push(
          match(parts.call, 'high', {
            message: 'Regular expression built from client data: a crafted pattern can hang the process.',
          }),
        );
      }
    }
    return matches;
  },
});

const MARK_SAFE = new Set([
  'django.utils.safestring.mark_safe',
  'django.utils.safestring.SafeString',
  'markupsafe.Markup',
  'flask.Markup',
  'jinja2.Markup',
  'mark_safe',
  'Markup',
]);
const RENDER_STRING = new Set(['flask.render_template_string', 'render_template_string']);
const HTML_RESPONSES = new Set([
  'flask.make_response',
  'django.http.HttpResponse',
  'fastapi.responses.HTMLResponse',
  'starlette.responses.HTMLResponse',
]);
/** Django's response classes that default to `text/html` (`HttpResponseBadRequest`, `HttpResponseNotFound`…). */
// (not HttpResponseNotAllowed: its first argument is the permitted methods, not content)
const DJANGO_RESPONSE = /^django\.http\.(HttpResponse(BadRequest|NotFound|Forbidden|ServerError|Gone)?)$/;

/** Whether a response is served as HTML: no explicit non-HTML `content_type`/`mimetype`/`media_type`. */
function servesHtml(parts: CallParts): boolean {
  const type = parts.keywords.get('content_type') ?? parts.keywords.get('mimetype') ?? parts.keywords.get('media_type');
  if (!type) return true;
  const value = stringValue(type);
  return value === undefined || /html/i.test(value);
}
const SAFE_FILTER = /\|\s*safe\b|\{%\s*autoescape\s+false/;

export const xss = pythonRule({
  id: 'py.xss',
  issueType: 'xss',
  cwe: 'CWE-79',
  severity: 'high',
  message: 'HTML built from untrusted data without escaping: scripts can be injected into the page.',
  remediation:
    'Let the template engine escape values (`render_template` with autoescape), escape with `markupsafe.escape`/`html.escape`, and keep `mark_safe`/`Markup`/`|safe` for constant HTML.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    const report = (node: Node, value: Node, reportUnknown: boolean) => {
      const confidence = confidenceFor(taint.level(value, 'html'), reportUnknown);
      if (confidence) matches.push(match(node, confidence, { severity: severityFor(confidence, 'high', 'medium') }));
    };
    for (const parts of calls) {
      if (named(parts, MARK_SAFE)) {
        const value = argument(parts, 0);
        if (value) report(parts.call, value, true);
      } else if (named(parts, RENDER_STRING)) {
        const template = argument(parts, 0, 'source');
        if (!template) continue;
        const constant = stringValue(template);
        if (constant !== undefined || taint.level(template, 'html') !== 'tainted') {
          if (SAFE_FILTER.test(constant ?? template.text)) {
            const context = join(...[...parts.keywords.values()].map((value) => taint.level(value, 'html')));
            matches.push(
              match(parts.call, context === 'tainted' ? 'high' : 'medium', {
                message:
                  'Template disables escaping (`|safe`/`autoescape false`): values rendered this way can inject scripts.',
              }),
            );
          }
          continue;
        }
        matches.push(
          match(parts.call, 'high', {
            message: 'Template source built from client data: server-side template injection and XSS.',
          }),
        );
      } else if (named(parts, HTML_RESPONSES) || DJANGO_RESPONSE.test(parts.name ?? '')) {
        const value = argument(parts, 0, 'content');
        if (!value || !servesHtml(parts)) continue;
        // HTML by default: request data echoed in the body is reflected XSS, whether or not it looks like markup
        if (looksLikeHtml(value)) report(parts.call, value, false);
        else if (echoesText(value, taint) && taint.level(value, 'html') === 'tainted')
          matches.push(match(parts.call, 'high', { severity: 'high' }));
      }
    }
    // Jinja2 escapes nothing unless told to: `Environment(autoescape=False)` turns escaping off explicitly (high);
    // an `Environment` without `autoescape` in a module that loads `.html` templates leaves it off (medium).
    // `autoescape=select_autoescape(...)` or any other non-false value keeps escaping on.
    const rendersHtml = () =>
      descendants(_context.root, (node) => node.type === 'string').some((node) =>
        /\.html?$/.test(stringValue(node) ?? ''),
      );
    for (const parts of calls) {
      if (parts.name !== 'jinja2.Environment' && parts.name !== 'jinja2.Template') continue;
      const autoescape = parts.keywords.get('autoescape');
      if (autoescape?.type === 'false')
        matches.push(
          match(parts.call, 'high', {
            severity: 'high',
            message: 'Jinja2 autoescaping turned off (`autoescape=False`): values rendered into HTML are not escaped.',
          }),
        );
      else if (!autoescape && parts.name === 'jinja2.Environment' && rendersHtml())
        matches.push(
          match(parts.call, 'medium', {
            severity: 'medium',
            message: 'Jinja2 environment without autoescaping: values rendered into HTML templates are not escaped.',
          }),
        );
    }
    // a route handler returning an HTML string built from request data
    for (const ret of descendants(_context.root, (node) => node.type === 'return_statement')) {
      const value = children(ret)[0];
      const fn = enclosingFunction(ret);
      if (!value || !fn || !isRouteHandler(fn) || !looksLikeHtml(value)) continue;
      report(value, value, false);
    }
    return matches;
  },
});

/**
 * Whether a value is text put together from its inputs — a formatted/concatenated string, a request value,
 * or a variable bound to one — rather than the result of some other computation (`model.preview(x)`).
 */
function echoesText(node: Node, taint: TaintAnalysis, depth = 0): boolean {
  if (depth > 3) return false;
  if (isStringBuilding(node)) return true;
  if (node.type === 'identifier') {
    const value = taint.bindingAt(node.text, node)?.value;
    return value !== undefined && echoesText(value, taint, depth + 1);
  }
  let at: Node | null = node;
  while (at && (at.type === 'call' || at.type === 'subscript' || at.type === 'attribute')) {
    if (at.type === 'attribute' && taint.isSourceExpression(at, 'html')) return true;
    at =
      at.type === 'call'
        ? at.childForFieldName('function')
        : at.type === 'subscript'
          ? at.childForFieldName('value')
          : at.childForFieldName('object');
  }
  return false;
}

function looksLikeHtml(node: Node): boolean {
  return isStringBuilding(node) && /<[a-zA-Z!/]/.test(node.text);
}

/** Whether a receiver is a tar archive: `tarfile.open(…)` bound by assignment or `with … as tar`. */
function tarArchive(receiver: Node | undefined, taint: TaintAnalysis): Node | undefined {
  let value: Node | undefined = receiver;
  if (receiver?.type === 'identifier') value = taint.bindingAt(receiver.text, receiver)?.value;
  if (value?.type !== 'call') return undefined;
  const name = taint.qualified(value.childForFieldName('function')) ?? '';
  return ['tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open'].includes(name) ? value : undefined;
}

/** `filter="data"` or `filter="tar"` (Python 3.12+), or a filter function: members are checked. */
function filtered(parts: CallParts): boolean {
  const filter = parts.keywords.get('filter');
  if (!filter) return false;
  const value = stringValue(filter);
  return value === undefined ? filter.type !== 'none' : value !== 'fully_trusted';
}

export const tarExtraction = pythonRule({
  id: 'py.tar-extraction',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message:
    'Tar archive extracted without a member filter: entries named `../x`, absolute paths or links can write outside the target folder (tar slip).',
  remediation:
    'Pass `filter="data"` to `extractall`/`extract`/`shutil.unpack_archive` (Python 3.12+, backported to security releases), or check every member\'s resolved path before extracting.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      let archive: Node | undefined;
      if ((parts.method === 'extractall' || parts.method === 'extract') && parts.receiver) {
        const opened = tarArchive(parts.receiver, taint);
        if (!opened) continue;
        archive = argument(callParts(opened, taint.aliases), 0, 'name');
      } else if (parts.name === 'shutil.unpack_archive') archive = argument(parts, 0, 'filename');
      else continue;
      if (filtered(parts)) continue;
      const confidence = archive && taint.level(archive, 'path') === 'tainted' ? 'high' : 'medium';
      matches.push(match(parts.call, confidence, { severity: severityFor(confidence, 'high', 'medium') }));
    }
    return matches;
  },
});

export const INJECTION_RULES: readonly Rule[] = [
  tarExtraction,
  sqlInjection,
  nosqlInjection,
  commandInjection,
  codeInjection,
  pathTraversal,
  ssrf,
  xss,
  openRedirect,
  redos,
];
