import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { argument, children, descendants, isTrue, stringValue } from './ast.js';
import { constantValue } from './constant-values.js';
import { dictionaryPairs, match, pythonRule } from './support.js';

const isWildcard = (node: Node | undefined) =>
  node !== undefined &&
  (stringValue(node) === '*' || (node.type === 'list' && children(node).some((item) => stringValue(item) === '*')));

export const permissiveCors = pythonRule({
  id: 'py.permissive-cors',
  issueType: 'permissive_cors',
  cwe: 'CWE-942',
  severity: 'medium',
  message: 'CORS allows any origin: other sites can read responses from this API.',
  remediation: 'List the allowed origins explicitly; never combine a wildcard origin with credentials.',
  check(context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    const option = (pairs: { key: Node; value: Node }[], name: string) =>
      pairs.find((pair) => stringValue(pair.key) === name)?.value;
    for (const parts of calls) {
      // Flask-CORS takes the options as keywords and, per resource, in `resources={pattern: {…}}`; a
      // resource's own options override the keywords.
      const credentials = isTrue(
        constantValue(parts.keywords.get('supports_credentials') ?? parts.keywords.get('allow_credentials'), taint),
      );
      const origins = parts.keywords.get('origins') ?? parts.keywords.get('allow_origins');
      const resources = dictionaryPairs(parts.keywords.get('resources')).map((pair) => dictionaryPairs(pair.value));
      const isCors = /(^|\.)(CORS|cross_origin)$/.test(parts.name ?? '');
      const wildcard = resources.length
        ? resources.some((options) => {
            const own = option(options, 'supports_credentials');
            if (!(own ? isTrue(constantValue(own, taint)) : credentials)) return false;
            const allowed = option(options, 'origins') ?? origins;
            return allowed ? isWildcard(allowed) : isCors;
          })
        : credentials && (isWildcard(origins) || (!origins && isCors));
      if (wildcard)
        matches.push(
          match(parts.call, 'high', {
            severity: 'high',
            message: 'CORS allows any origin with credentials: other sites can act as the logged-in user.',
          }),
        );
    }
    const allowOrigin = (target: Node, value: Node | undefined) => {
      if (!value) return;
      if (stringValue(value) === '*') matches.push(match(target, 'high'));
      else if (taint.level(value) === 'tainted')
        matches.push(
          match(target, 'high', {
            severity: 'high',
            message: 'CORS reflects the request origin: any site can read the answers.',
          }),
        );
    };
    for (const parts of calls) {
      // `response.headers.set("Access-Control-Allow-Origin", origin)`, `headers.add(…)`, `headers.update({…})`
      if (!parts.receiver || !['set', 'add', 'setdefault', '__setitem__'].includes(parts.method ?? '')) continue;
      if (stringValue(argument(parts, 0))?.toLowerCase() === 'access-control-allow-origin')
        allowOrigin(parts.call, argument(parts, 1));
    }
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const target = assignment.childForFieldName('left');
      // `response.headers["Access-Control-Allow-Origin"] = …` (Flask, Starlette) or `response[…] = …` (Django)
      if (
        target?.type === 'subscript' &&
        stringValue(target.childForFieldName('subscript'))?.toLowerCase() === 'access-control-allow-origin'
      ) {
        allowOrigin(assignment, assignment.childForFieldName('right') ?? undefined);
        continue;
      }
      const left = target?.text ?? '';
      if (
        /^(CORS_ORIGIN_ALLOW_ALL|CORS_ALLOW_ALL_ORIGINS)$/.test(left) &&
        isTrue(assignment.childForFieldName('right') ?? undefined)
      )
        matches.push(match(assignment, 'high'));
    }
    return matches;
  },
});
