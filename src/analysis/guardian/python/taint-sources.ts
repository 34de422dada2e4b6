// What the Python taint analysis treats as input (request attributes, sources), as converting or sanitising, and as
// passing data through.
import type { SinkKind } from './taint.js';

/** Attributes of a request object that carry client data (Flask, Django, Starlette). */
export const REQUEST_ATTRIBUTES = new Set([
  'args',
  'form',
  'values',
  'json',
  'data',
  'cookies',
  'headers',
  'files',
  'get_json',
  'get_data',
  'stream',
  'query_string',
  'GET',
  'POST',
  'body',
  'COOKIES',
  'META',
  'FILES',
  'query_params',
  'path_params',
  // aiohttp, Flask's route arguments and the Referer header
  'match_info',
  'query',
  'post',
  'view_args',
  'referrer',
]);

export const REQUEST_NAMES = new Set(['request', 'req', 'self.request']);

/** The request proxies of frameworks, reached through their module: `flask.request`, `from quart import request as rq`. */
export const REQUEST_OBJECTS = new Set(['flask.request', 'quart.request', 'bottle.request', 'sanic.request']);

/**
 * The request's own URL: client-chosen text (query string) for HTML, SQL or shell sinks, but the same origin
 * as the application, so neither an open redirect nor a server-side request forgery.
 */
export const URL_ATTRIBUTES = new Set(['url', 'full_path', 'path', 'path_info', 'get_full_path']);

export const SAME_ORIGIN_KINDS: ReadonlySet<SinkKind> = new Set(['redirect', 'url']);

export const SOURCE_CALLS = new Set(['input', 'raw_input']);

export const SOURCE_NAMES = new Set(['sys.argv']);

/** Conversions that make data safe for every sink. */
export const CONVERTERS = new Set([
  'int',
  'float',
  'bool',
  'len',
  'abs',
  'round',
  'hash',
  'uuid.UUID',
  'id',
  // readings of the clock: program-generated values with no client data and no syntax
  'time.time',
  'time.time_ns',
  'time.monotonic',
  'datetime.datetime.now',
  'datetime.datetime.utcnow',
  'datetime.datetime.today',
  'datetime.date.today',
]);

export const SANITISERS: Readonly<Record<string, readonly SinkKind[]>> = {
  'shlex.quote': ['command'],
  'pipes.quote': ['command'],
  'html.escape': ['html'],
  'cgi.escape': ['html'],
  'markupsafe.escape': ['html'],
  'flask.escape': ['html'],
  'jinja2.escape': ['html'],
  'django.utils.html.escape': ['html'],
  'django.utils.html.conditional_escape': ['html'],
  'bleach.clean': ['html'],
  escape: ['html'],
  'os.path.basename': ['path'],
  'werkzeug.utils.secure_filename': ['path'],
  'werkzeug.secure_filename': ['path'],
  secure_filename: ['path'],
  're.escape': ['regex'],
};

/** Functions whose result carries the taint of their arguments. */
export const PASS_THROUGH = new Set([
  'str',
  'bytes',
  'repr',
  'format',
  'list',
  'tuple',
  'dict',
  'set',
  'sorted',
  'reversed',
  'os.path.join',
  'os.path.normpath',
  'os.path.expanduser',
  'posixpath.join',
  'pathlib.Path',
  'pathlib.PurePath',
  'urllib.parse.urljoin',
  'urllib.parse.unquote',
  'urllib.parse.unquote_plus',
  'urllib.parse.quote',
  'base64.b64decode',
  'base64.urlsafe_b64decode',
  'json.loads',
  'json.dumps',
  'codecs.decode',
  'textwrap.dedent',
]);

export const PATH_NORMALISERS = new Set(['os.path.realpath', 'os.path.abspath', 'os.path.normpath']);

export const PREFIX_CHECKS = new Set(['startswith', 'is_relative_to']);

/** Methods that look a key up in their receiver: on a constant mapping, the result is one of its values. */
export const LOOKUPS = new Set(['get']);
