import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, stringValue, unwrap } from './syntax.js';
import { fixedHost, trustedHead, leadingText } from './urls.js';
import { callArguments, calleeParts, callsIn, defineRule, propertyOf, RESPONSE_OBJECTS } from './util.js';

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
