import type { RuleMatch } from '../finding.js';
import { argument, isTrue, stringValue } from './ast.js';
import { match, pythonRule } from './support.js';

const XML_PARSERS = /(^|\.)(XMLParser|parse|fromstring|XML|iterparse|XMLTreeBuilder)$/;

const EXTERNAL_ENTITIES = /feature_external_(ges|pes)$|external-(general|parameter)-entities/;

const LXML_DEFAULT_PARSE = new Set([
  'lxml.etree.fromstring',
  'lxml.etree.XML',
  'lxml.etree.parse',
  'lxml.etree.iterparse',
]);

export const xxe = pythonRule({
  id: 'py.xxe',
  issueType: 'xxe',
  cwe: 'CWE-611',
  severity: 'high',
  message: 'XML parser resolves external entities: a document can read local files or reach internal hosts.',
  remediation:
    'Keep entity resolution off (`lxml.etree.XMLParser(resolve_entities=False, no_network=True)`), do not enable `feature_external_ges`, or parse with `defusedxml`.',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (parts.name && XML_PARSERS.test(parts.name) && isTrue(parts.keywords.get('resolve_entities')))
        matches.push(match(parts.call, 'high'));
      else if (parts.name && LXML_DEFAULT_PARSE.has(parts.name) && !argument(parts, 1, 'parser')) {
        // lxml before 5.0 resolves external entities with its default parser
        const data = argument(parts, 0, 'source') ?? argument(parts, 0, 'text');
        if (data && taint.level(data) === 'tainted')
          matches.push(
            match(parts.call, 'medium', {
              severity: 'medium',
              message:
                "Request data parsed with lxml's default parser, which resolves external entities before lxml 5.0.",
            }),
          );
      } else if (parts.method === 'setFeature') {
        const feature = argument(parts, 0);
        const value = argument(parts, 1);
        if (feature && isTrue(value) && EXTERNAL_ENTITIES.test(stringValue(feature) ?? feature.text))
          matches.push(match(parts.call, 'high'));
      }
    }
    return matches;
  },
});
