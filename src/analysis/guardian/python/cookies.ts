import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { descendants, isFalse, stringValue } from './ast.js';
import { match, pythonRule } from './support.js';

const COOKIE_SETTINGS =
  /^(SESSION_COOKIE_SECURE|SESSION_COOKIE_HTTPONLY|CSRF_COOKIE_SECURE|CSRF_COOKIE_HTTPONLY|REMEMBER_COOKIE_SECURE|REMEMBER_COOKIE_HTTPONLY)$/;

function settingName(target: Node | null | undefined): string | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  if (target.type === 'subscript') return stringValue(target.childForFieldName('subscript'));
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text;
  return undefined;
}

export const insecureCookie = pythonRule({
  id: 'py.insecure-cookie',
  issueType: 'insecure_cookie',
  cwe: 'CWE-614',
  severity: 'medium',
  message: 'Cookie set without `Secure`/`HttpOnly`: it can leak over HTTP or be read by scripts.',
  remediation:
    'Set cookies with `secure=True, httponly=True, samesite="Lax"` (and `SESSION_COOKIE_SECURE = True` in settings).',
  check(context, { calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (
        parts.method === 'set_cookie' &&
        (isFalse(parts.keywords.get('secure')) || isFalse(parts.keywords.get('httponly')))
      )
        matches.push(match(parts.call, 'high'));
      else if ([...parts.keywords].some(([name, value]) => COOKIE_SETTINGS.test(name) && isFalse(value)))
        matches.push(match(parts.call, 'high'));
    }
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const name = settingName(assignment.childForFieldName('left'));
      if (name && COOKIE_SETTINGS.test(name) && isFalse(assignment.childForFieldName('right') ?? undefined))
        matches.push(match(assignment, 'high'));
    }
    return matches;
  },
});
