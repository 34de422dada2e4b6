import type { Node } from 'web-tree-sitter';
import { dottedName, enclosingFunction, stringValue, unwrap } from './syntax.js';
import { type TaintAnalysis } from './taint.js';
import { callArguments, calleeParts, propertyOf, moduleConstants, PAGE_OBJECT } from './util.js';

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
export function fixedHost(url: Node): boolean {
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
export function trustedHead(url: Node, taint: TaintAnalysis, root: Node): boolean {
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
