import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf, sinkConfidence } from './util.js';

/** js-yaml options selecting a schema that builds functions (`DEFAULT_FULL_SCHEMA`, js-yaml-js-types). */
function unsafeYamlSchema(options: Node | undefined): boolean {
  const schema = propertyOf(options, 'schema');
  return schema !== undefined && /FULL_SCHEMA|js-types|jsTypes/.test(schema.text);
}

export const insecureDeserialization: Rule = defineRule({
  id: 'js.insecure-deserialization',
  issueType: 'insecure_deserialization',
  cwe: 'CWE-502',
  severity: 'high',
  message: 'Untrusted data deserialised with a library that can run code.',
  remediation:
    'Do not use `node-serialize`; exchange data as JSON (`JSON.parse`). With js-yaml, use version 4+ `load` or `safeLoad` on older versions.',
  check({ root }, taint) {
    const serializers = moduleNames(root, ['node-serialize', 'serialize-to-js', 'funcster', 'cryo']);
    const yaml = moduleNames(root, ['js-yaml']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      const first = callArguments(call)[0];
      if (!first) continue;
      if (
        ['unserialize', 'deserialize', 'deepDeserialize', 'parse'].includes(method) &&
        (serializers.has(object) || serializers.has(method))
      ) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence) matches.push({ node: call, confidence });
      } else if (['load', 'loadAll'].includes(method) && yaml.has(object) && unsafeYamlSchema(callArguments(call)[1])) {
        const confidence = sinkConfidence(first, taint, true);
        if (confidence)
          matches.push({
            node: call,
            confidence,
            message:
              'js-yaml with the full schema constructs JavaScript functions and regular expressions from the document.',
          });
      } else if (method === 'load' && yaml.has(object) && callArguments(call).length === 1 && taint.isTainted(first)) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'medium',
          message:
            'js-yaml `load` before version 4 constructs JavaScript functions from request data; use `safeLoad` or upgrade.',
        });
      }
    }
    return matches;
  },
});
