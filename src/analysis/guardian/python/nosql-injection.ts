import type { RuleMatch } from '../finding.js';
import { argument, stringValue } from './ast.js';
import { confidenceFor, dictionaryPairs, match, pythonRule } from './support.js';

const NOSQL_METHODS = new Set([
  'find',
  'find_one',
  'find_one_and_update',
  'find_one_and_delete',
  'find_one_and_replace',
  'update_one',
  'update_many',
  'delete_one',
  'delete_many',
  'count_documents',
  'aggregate',
]);

export const nosqlInjection = pythonRule({
  id: 'py.nosql-injection',
  issueType: 'nosql_injection',
  cwe: 'CWE-943',
  severity: 'high',
  message: 'MongoDB query built from untrusted data: operators such as `$where` or `$ne` can be injected.',
  remediation:
    'Build the filter from validated scalar values (`{"name": str(value)}`), never pass a client-supplied object as the filter, and do not use `$where`.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (!parts.method || !NOSQL_METHODS.has(parts.method) || !parts.receiver) continue;
      const filter = argument(parts, 0, 'filter');
      if (!filter || parts.receiver.type === 'string') continue;
      // a string receiver is `str.find`, not a collection
      if (taint.level(parts.receiver) === 'tainted') continue;
      const where = dictionaryPairs(filter).find((pair) => stringValue(pair.key) === '$where');
      if (where) {
        const confidence = confidenceFor(taint.level(where.value, 'nosql'), true);
        if (confidence) matches.push(match(parts.call, confidence));
        continue;
      }
      if (filter.type !== 'dictionary' && taint.level(filter, 'nosql') === 'tainted')
        matches.push(match(parts.call, 'high'));
    }
    return matches;
  },
});
