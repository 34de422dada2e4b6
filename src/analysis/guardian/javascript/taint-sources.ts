// What the taint analysis treats as input (request fields, sources, entry-point parameters) and as safe.
import type { Node } from 'web-tree-sitter';
import { dottedName, exportedName, functionParameters, patternNames } from './syntax.js';

export const REQUEST_OBJECTS = ['req', 'request', 'ctx.request', 'ctx.req', 'context.request'];

export const REQUEST_FIELDS = [
  'query',
  'body',
  'params',
  'headers',
  'cookies',
  'signedCookies',
  'url',
  'originalUrl',
  'path',
  'files',
  'file',
  'nextUrl',
  'searchParams',
  'hostname',
  'raw',
  // hapi
  'payload',
  'state',
];

export const SOURCES = new Set<string>([
  ...REQUEST_OBJECTS.flatMap((object) => REQUEST_FIELDS.map((field) => `${object}.${field}`)),
  'ctx.query',
  'ctx.params',
  'ctx.headers',
  'ctx.querystring',
  'ctx.url',
  'event.body',
  'event.queryStringParameters',
  'event.pathParameters',
  'event.headers',
  'process.argv',
  'location',
  'window.location',
  'document.location',
  'document.URL',
  'document.documentURI',
  'document.referrer',
  'document.cookie',
  'window.name',
]);

/** Angular `ActivatedRoute` snapshot parts taken from the URL (`this.route.snapshot.queryParams`). */
export const ANGULAR_ROUTE_INPUT =
  /(?:^|\.)\w*[Rr]oute\.snapshot\.(?:queryParams|params|queryParamMap|paramMap|fragment)$/;

/** Methods registering a callback whose first parameter is a remote client's input (MCP SDK tools and requests). */
export const CLIENT_INPUT_REGISTRARS = new Set(['tool', 'registerTool', 'setRequestHandler']);

/** Second parameter names of a web handler `(req, res)` / `(request, reply)`. */
export const RESPONSE_PARAMETERS = new Set(['res', 'response', 'reply', 'resp']);

/** Second parameter names of an AWS Lambda handler `(event, context)`. */
export const LAMBDA_CONTEXT_PARAMETERS = new Set(['context', '_context', 'ctx']);

/** Calls on a request object that answer its body. */
export const SOURCE_CALLS = new Set(['json', 'text', 'formData', 'get', 'param', 'header', 'cookies']);

/** Functions whose result carries the taint of their arguments. */
/** Calls that list an object's keys. */
export const KEY_LISTS = new Set(['Object.keys', 'Object.getOwnPropertyNames', 'Reflect.ownKeys']);

/** Array methods whose callback receives each element, with the position of the element parameter. */
export const ELEMENT_CALLBACKS = new Map([
  ['forEach', 0],
  ['map', 0],
  ['flatMap', 0],
  ['filter', 0],
  ['some', 0],
  ['every', 0],
  ['find', 0],
  ['reduce', 1],
]);

export const PASS_THROUGH = new Set([
  'String',
  'JSON.stringify',
  'JSON.parse',
  'decodeURIComponent',
  'decodeURI',
  'unescape',
  'atob',
  'btoa',
  'Buffer.from',
  'Array.from',
  'Object.assign',
  'Object.values',
  'Object.entries',
  'Object.keys',
  'path.join',
  'path.resolve',
  'path.normalize',
  'util.format',
  'format',
  'url.parse',
  'querystring.parse',
  'qs.parse',
  'URL',
  'URLSearchParams',
]);

/** Functions whose result is safe whatever their argument. */
const SANITISERS = new Set([
  'parseInt',
  'parseFloat',
  'Number',
  'Boolean',
  'encodeURIComponent',
  'encodeURI',
  'path.basename',
  'Math.floor',
  'Math.round',
  'Math.ceil',
  'Math.abs',
  'Math.min',
  'Math.max',
  'isNaN',
  'Number.parseInt',
  'Number.parseFloat',
  'Date.parse',
  // values the program makes up itself: random identifiers, its own folders
  'crypto.randomUUID',
  'crypto.randomBytes',
  'crypto.randomInt',
  'randomUUID',
  'randomBytes',
  'randomInt',
  'uuid.v4',
  'uuidv4',
  'nanoid',
  'Date.now',
  'process.cwd',
  'os.tmpdir',
  'os.homedir',
]);

/** Globals whose value the program controls (module folders), not the client. */
export const SAFE_GLOBALS = new Set(['__dirname', '__filename']);

/** Parts of `location` that are the page's own origin, not chosen by whoever crafted the link. */
export const ORIGIN_PARTS = new Set(['origin', 'host', 'hostname', 'protocol', 'port']);

/** Methods whose result does not carry the receiver's data. */
export const SAFE_METHODS = new Set([
  'length',
  'indexOf',
  'lastIndexOf',
  'includes',
  'startsWith',
  'endsWith',
  'test',
  'has',
  'isInteger',
]);

/** `process.argv[0]` / `process.argv[1]`: the interpreter and the script being run, not the user's arguments. */
export function programArgument(node: Node): boolean {
  if (node.type !== 'subscript_expression') return false;
  const index = node.childForFieldName('index');
  return (
    (index?.text === '0' || index?.text === '1') && dottedName(node.childForFieldName('object')) === 'process.argv'
  );
}

/** True for escape-/sanitize-like function names (`escapeHtml`, `sanitize`, `_.escape`), not `unescape`. */
export function isSanitiserName(name: string): boolean {
  const last = (name.split('.').pop() ?? '').toLowerCase();
  if (last.startsWith('unescape')) return false;
  return last.includes('escape') || last.includes('sanitiz') || last.includes('sanitis') || SANITISERS.has(name);
}

/**
 * The parameters of an entry point that carry a remote client's input: the `event` of an exported AWS Lambda
 * handler (`exports.handler = async (event, context) => …`), the arguments of an MCP tool callback
 * (`server.tool(name, schema, async ({ url }) => …)`), and the request fields a web handler destructures
 * from its first parameter (`({ query, params }: Request, res) => …`).
 */
export function clientInputParameters(fn: Node): Set<string> {
  const result = new Set<string>();
  const [first, second] = functionParameters(fn);
  if (!first) return result;
  const secondName = second ? patternNames(second)[0] : undefined;
  const exported = exportedName(fn);
  // `(node, context)` is also the shape of compiler and lint visitors: a context parameter alone is not
  // enough, the first one must be the event
  const firstName = patternNames(first)[0];
  if (
    exported !== undefined &&
    (exported === 'handler' ||
      (firstName === 'event' && secondName !== undefined && LAMBDA_CONTEXT_PARAMETERS.has(secondName)))
  ) {
    for (const name of patternNames(first)) result.add(name);
    return result;
  }
  const call = fn.parent?.type === 'arguments' ? fn.parent.parent : null;
  if (call?.type === 'call_expression' && fn.parent!.lastNamedChild?.id === fn.id) {
    const callee = call.childForFieldName('function');
    const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
    if (method && CLIENT_INPUT_REGISTRARS.has(method) && fn.parent!.namedChildCount >= 2) {
      for (const name of patternNames(first)) result.add(name);
      return result;
    }
  }
  const pattern = ['required_parameter', 'optional_parameter'].includes(first.type)
    ? first.childForFieldName('pattern')
    : first;
  const typeName = first.childForFieldName('type')?.namedChild(0)?.text;
  const typedRequest = typeName !== undefined && /(?:^|\.)\w*Request$/.test(typeName);
  if (
    pattern?.type === 'object_pattern' &&
    (typedRequest || (secondName !== undefined && RESPONSE_PARAMETERS.has(secondName)))
  ) {
    for (const property of pattern.namedChildren) {
      if (property.type === 'shorthand_property_identifier_pattern') {
        if (REQUEST_FIELDS.includes(property.text)) result.add(property.text);
      } else if (property.type === 'pair_pattern') {
        const key = property.childForFieldName('key')?.text;
        const value = property.childForFieldName('value');
        if (key && value && REQUEST_FIELDS.includes(key)) for (const name of patternNames(value)) result.add(name);
      } else if (property.type === 'object_assignment_pattern') {
        const left = property.childForFieldName('left');
        if (left && REQUEST_FIELDS.includes(left.text)) result.add(left.text);
      }
    }
  }
  return result;
}
