import type { Node } from 'web-tree-sitter';
import { argument, children } from './ast.js';
import { sinkRule, never } from './sink-rule.js';
import type { TaintAnalysis } from './taint.js';

const FILE_CALLS: Readonly<Record<string, readonly number[]>> = {
  open: [0],
  'io.open': [0],
  'codecs.open': [0],
  'flask.send_file': [0],
  'os.remove': [0],
  'os.unlink': [0],
  'os.rmdir': [0],
  'os.removedirs': [0],
  'os.makedirs': [0],
  'os.mkdir': [0],
  'os.listdir': [0],
  'os.chmod': [0],
  'os.rename': [0, 1],
  'os.replace': [0, 1],
  'shutil.copy': [0, 1],
  'shutil.copy2': [0, 1],
  'shutil.copyfile': [0, 1],
  'shutil.copytree': [0, 1],
  'shutil.move': [0, 1],
  'shutil.rmtree': [0],
  'django.http.FileResponse': [0],
  'fastapi.responses.FileResponse': [0],
  'starlette.responses.FileResponse': [0],
};

const PATH_METHODS = new Set([
  'read_text',
  'read_bytes',
  'write_text',
  'write_bytes',
  'open',
  'unlink',
  'rmdir',
  'mkdir',
  'touch',
  'rename',
  'iterdir',
]);

/** A `pathlib` path: `Path(…)`, `BASE / name` with a path on the left, or a variable bound to one. */
function pathObject(node: Node, taint: TaintAnalysis, depth = 0): boolean {
  if (depth > 4) return false;
  if (node.type === 'parenthesized_expression') return children(node).some((c) => pathObject(c, taint, depth + 1));
  if (node.type === 'call')
    return /^pathlib\.(Pure)?(Posix|Windows)?Path$/.test(taint.qualified(node.childForFieldName('function')) ?? '');
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '/') {
    const left = node.childForFieldName('left');
    return left !== null && pathObject(left, taint, depth + 1);
  }
  if (node.type === 'identifier') {
    const value = taint.bindingAt(node.text, node)?.value;
    return value !== undefined && pathObject(value, taint, depth + 1);
  }
  return false;
}

export const pathTraversal = sinkRule({
  id: 'py.path-traversal',
  issueType: 'path_traversal',
  cwe: 'CWE-22',
  severity: 'high',
  message: 'File path built from untrusted data: `../` sequences can reach files outside the intended folder.',
  remediation:
    'Reduce the name with `werkzeug.utils.secure_filename`/`os.path.basename`, or resolve it with `os.path.realpath` and check it starts with the allowed base folder; Flask offers `send_from_directory`.',
  kind: 'path',
  sink(parts, taint) {
    // Own keys only: a call named `constructor` or `toString` must not find Object.prototype's members.
    const indexes = parts.name && Object.hasOwn(FILE_CALLS, parts.name) ? FILE_CALLS[parts.name] : undefined;
    if (indexes)
      return indexes.map((index) => parts.positional[index] ?? (index === 0 ? argument(parts, 0, 'file') : undefined));
    // `request.files["f"].save(path)`: an uploaded file stored under a client-chosen name
    // `(BASE / name).read_text()`, `Path(name).unlink()`: the receiver is the path
    if (parts.method && PATH_METHODS.has(parts.method) && parts.receiver && pathObject(parts.receiver, taint))
      return [parts.receiver];
    if (parts.method === 'save' && parts.receiver && taint.level(parts.receiver) === 'tainted')
      return [argument(parts, 0, 'dst')];
    return undefined;
  },
  reportUnknown: never,
});
