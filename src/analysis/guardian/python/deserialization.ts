import type { Node } from 'web-tree-sitter';
import type { Fix, RuleMatch } from '../finding.js';
import { argument, type CallParts } from './ast.js';
import { confidenceFor, match, named, pythonRule, severityFor } from './support.js';
import type { TaintAnalysis } from './taint.js';

const DESERIALISERS = new Set([
  ...['pickle', 'cPickle', '_pickle', 'dill', 'marshal'].flatMap((module) => [`${module}.loads`, `${module}.load`]),
  'jsonpickle.decode',
  'shelve.open',
  'pandas.read_pickle',
  'yaml.unsafe_load',
  'yaml.unsafe_load_all',
]);

const YAML_LOAD = new Set(['yaml.load', 'yaml.load_all']);

const SAFE_LOADER = /(^|\.)(SafeLoader|CSafeLoader|BaseLoader|CBaseLoader)$/;

/** `pickle.loads(pickle.dumps(v))`: loading, with the same serialiser, the bytes it has just produced. */
function roundTrip(parts: CallParts, data: Node, taint: TaintAnalysis): boolean {
  if (data.type !== 'call') return false;
  const dumped = taint.qualified(data.childForFieldName('function')) ?? '';
  const module = (name: string) => name.slice(0, name.lastIndexOf('.') + 1);
  return /(^|\.)dumps$/.test(dumped) && module(dumped) === module(parts.name ?? '');
}

export const insecureDeserialization = pythonRule({
  id: 'py.insecure-deserialization',
  issueType: 'insecure_deserialization',
  cwe: 'CWE-502',
  severity: 'high',
  message: 'Deserialisation that can construct arbitrary objects: loading untrusted data runs attacker code.',
  remediation:
    'Use a data-only format (`json`, `yaml.safe_load`); never unpickle data that crosses a trust boundary, or sign it (HMAC) and verify before loading.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      const yaml = named(parts, YAML_LOAD);
      if (!yaml && !named(parts, DESERIALISERS)) continue;
      const data = argument(parts, 0);
      if (!data) continue;
      let fix: Fix | undefined;
      if (yaml) {
        const loader = argument(parts, 1, 'Loader');
        if (loader && SAFE_LOADER.test(loader.text)) continue;
        if (
          !loader &&
          parts.callee.type === 'attribute' &&
          parts.name === 'yaml.load' &&
          parts.positional.length === 1
        ) {
          const attribute = parts.callee.childForFieldName('attribute')!;
          fix = {
            description: 'Use yaml.safe_load, which builds only plain data.',
            edits: [{ start: attribute.startIndex, end: attribute.endIndex, replacement: 'safe_load' }],
          };
        }
      }
      // a round trip (`pickle.loads(pickle.dumps(obj))`, a deep copy) reads bytes the program itself just
      // wrote: whatever object went in, only that object (or a copy of it) comes out
      if (roundTrip(parts, data, taint)) continue;
      const confidence = confidenceFor(taint.level(data, 'deserialization'), true);
      if (confidence)
        matches.push(
          match(parts.call, confidence, {
            severity: severityFor(confidence, 'critical', 'high'),
            ...(fix ? { fix } : {}),
          }),
        );
    }
    return matches;
  },
});
