import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { argument, callParts, stringValue, type CallParts } from './ast.js';
import { match, pythonRule, severityFor } from './support.js';
import type { TaintAnalysis } from './taint.js';

/** Whether a receiver is a tar archive: `tarfile.open(…)` bound by assignment or `with … as tar`. */
function tarArchive(receiver: Node | undefined, taint: TaintAnalysis): Node | undefined {
  let value: Node | undefined = receiver;
  if (receiver?.type === 'identifier') value = taint.bindingAt(receiver.text, receiver)?.value;
  if (value?.type !== 'call') return undefined;
  const name = taint.qualified(value.childForFieldName('function')) ?? '';
  return ['tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open'].includes(name) ? value : undefined;
}

/** `filter="data"` or `filter="tar"` (Python 3.12+), or a filter function: members are checked. */
function filtered(parts: CallParts): boolean {
  const filter = parts.keywords.get('filter');
  if (!filter) return false;
  const value = stringValue(filter);
  return value === undefined ? filter.type !== 'none' : value !== 'fully_trusted';
}

export const tarExtraction = pythonRule({
  id: 'py.tar-extraction',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message:
    'Tar archive extracted without a member filter: entries named `../x`, absolute paths or links can write outside the target folder (tar slip).',
  remediation:
    'Pass `filter="data"` to `extractall`/`extract`/`shutil.unpack_archive` (Python 3.12+, backported to security releases), or check every member\'s resolved path before extracting.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      let archive: Node | undefined;
      if ((parts.method === 'extractall' || parts.method === 'extract') && parts.receiver) {
        const opened = tarArchive(parts.receiver, taint);
        if (!opened) continue;
        archive = argument(callParts(opened, taint.aliases), 0, 'name');
      } else if (parts.name === 'shutil.unpack_archive') archive = argument(parts, 0, 'filename');
      else continue;
      if (filtered(parts)) continue;
      const confidence = archive && taint.level(archive, 'path') === 'tainted' ? 'high' : 'medium';
      matches.push(match(parts.call, confidence, { severity: severityFor(confidence, 'high', 'medium') }));
    }
    return matches;
  },
});
