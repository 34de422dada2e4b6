// HTTP requests and their destinations: the URL a client call requests, and whether a constant prefix fixes its origin.
import type { Node } from 'web-tree-sitter';
import { argument, children, leadingConstant, type CallParts } from './ast.js';
import { named } from './support.js';
import type { TaintAnalysis } from './taint.js';

/** `https://host/…` or `/path…`: the destination's origin is fixed by a constant prefix. */
const FIXED_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#{]+[/?#]/i;

export const fixedOrigin = (arg: Node) => FIXED_ORIGIN.test(leadingConstant(arg) ?? '');

export const fixedLocalPath = (arg: Node) => {
  const prefix = leadingConstant(arg) ?? '';
  return FIXED_ORIGIN.test(prefix) || (/^\/[^/\\]/.test(prefix) && prefix.length > 1);
};

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
