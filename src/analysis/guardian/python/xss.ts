import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import {
  argument,
  children,
  descendants,
  enclosingFunction,
  isRouteHandler,
  isStringBuilding,
  stringValue,
  type CallParts,
} from './ast.js';
import { confidenceFor, match, named, pythonRule, severityFor } from './support.js';
import { join, type TaintAnalysis } from './taint.js';

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
    const servesFlask = [...taint.aliases.values()].some((name) => name === 'flask' || name.startsWith('flask.'));
    for (const ret of descendants(_context.root, (node) => node.type === 'return_statement')) {
      const value = children(ret)[0];
      const fn = enclosingFunction(ret);
      if (!value || !fn || !isRouteHandler(fn)) continue;
      if (looksLikeHtml(value)) report(value, value, false);
      // Flask serves a returned `str` as text/html: request data formatted into it is reflected XSS, tags or not
      else if (servesFlask && isStringBuilding(value) && taint.level(value, 'html') === 'tainted')
        matches.push(match(value, 'high', { severity: 'high' }));
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
