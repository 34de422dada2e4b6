import type { Node } from 'web-tree-sitter';
import type { Rule } from '../rule.js';
import { argument, descendants, stringValue } from './ast.js';
import { fixedLocalPath } from './http-requests.js';
import { sinkRule, never } from './sink-rule.js';
import { factsOf, match, named } from './support.js';

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
