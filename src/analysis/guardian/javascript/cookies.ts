import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { leadingText } from './urls.js';
import { dottedName, unwrap } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, propertyOf } from './util.js';

const SENSITIVE_COOKIE = /token|session|sess|sid|auth|jwt|csrf|xsrf|remember|login|secret|key/i;

/** The constant text of a string built from literals, templates and concatenations. */
function constantPieces(node: Node): string[] {
  return node.descendantsOfType(['string_fragment']).map((n) => n.text);
}

export const insecureCookie: Rule = defineRule({
  id: 'js.insecure-cookie',
  issueType: 'insecure_cookie',
  cwe: 'CWE-614',
  severity: 'medium',
  message: 'Cookie set without the `Secure` or `HttpOnly` protection.',
  remediation: 'Set cookies with `secure: true`, `httpOnly: true` and `sameSite: "lax"` or `"strict"`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const cookieObjects: Node[] = [];
    for (const call of callsIn(root)) {
      const { method, full } = calleeParts(call);
      const { object } = calleeParts(call);
      if (method === 'cookie' || method === 'setCookie' || (method === 'set' && object.endsWith('cookies'))) {
        const options = callArguments(call)[2];
        if (options && unwrap(options).type === 'object') cookieObjects.push(unwrap(options));
      } else if (full === 'session' || full === 'cookieSession') {
        const cookie = propertyOf(callArguments(call)[0], 'cookie');
        if (cookie && unwrap(cookie).type === 'object') cookieObjects.push(unwrap(cookie));
        const options = callArguments(call)[0];
        if (full === 'cookieSession' && options && unwrap(options).type === 'object')
          cookieObjects.push(unwrap(options));
      }
    }
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      if (dottedName(assignment.childForFieldName('left')) !== 'document.cookie') continue;
      const value = assignment.childForFieldName('right');
      const text = value ? (leadingText(value, taint) ?? '') : '';
      const name = text.split('=')[0]?.trim() ?? '';
      if (!SENSITIVE_COOKIE.test(name) || !value) continue;
      const attributes = constantPieces(value).join('').toLowerCase();
      if (!/;\s*secure\b/.test(attributes))
        matches.push({
          node: assignment,
          confidence: 'medium',
          message: `Cookie \`${name}\` set from script without \`Secure\`: it is also sent over plain HTTP.`,
        });
    }
    for (const object of cookieObjects) {
      for (const key of ['secure', 'httpOnly']) {
        const value = propertyOf(object, key);
        if (value?.type === 'false') {
          matches.push({
            node: value.parent ?? value,
            confidence: 'high',
            message: `Cookie set with \`${key}: false\`.`,
          });
        }
      }
    }
    return matches;
  },
});
