import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import {
  callArguments,
  calleeParts,
  callsIn,
  defineRule,
  moduleNames,
  propertyOf,
  sinkConfidence,
  RESPONSE_OBJECTS,
} from './util.js';

const FS_METHODS = new Set([
  'readFile',
  'readFileSync',
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'createReadStream',
  'createWriteStream',
  'open',
  'openSync',
  'unlink',
  'unlinkSync',
  'rm',
  'rmSync',
  'readdir',
  'readdirSync',
  'copyFile',
  'copyFileSync',
  'rename',
  'renameSync',
  'mkdir',
  'mkdirSync',
]);

export const pathTraversal: Rule = defineRule({
  id: 'js.path-traversal',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message: 'File path built from request data: `../` sequences can reach files outside the intended folder.',
  remediation:
    'Resolve the path (`path.resolve(base, name)`) and check it `startsWith(base + path.sep)` before use, or keep only `path.basename(name)`; prefer an allow-list of file names.',
  check({ root }, taint) {
    const fsNames = moduleNames(root, ['fs', 'fs/promises', 'fs-extra']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method } = calleeParts(call);
      const isFs =
        FS_METHODS.has(method) &&
        (object
          ? fsNames.has(object) || ['fs', 'fsp', 'fse', 'fs.promises', 'fsPromises'].includes(object)
          : fsNames.has(method));
      const isSend = ['sendFile', 'download', 'attachment'].includes(method) && RESPONSE_OBJECTS.has(object);
      if (!isFs && !isSend) continue;
      const args = callArguments(call);
      const checked = ['copyFile', 'copyFileSync', 'rename', 'renameSync'].includes(method)
        ? args.slice(0, 2)
        : args.slice(0, 1);
      if (isSend) {
        const options = args[1] ? propertyOf(args[1], 'root') : undefined;
        if (options) continue; // `root` makes send reject paths that leave it
      }
      const confidences = checked.map((a) => sinkConfidence(a, taint));
      const confidence = confidences.includes('high') ? 'high' : confidences.includes('medium') ? 'medium' : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});
