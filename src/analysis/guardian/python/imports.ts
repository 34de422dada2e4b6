import type { Node } from 'web-tree-sitter';
import type { Fix } from '../finding.js';
import { children } from './ast.js';

/** An edit adding `import <module>` before the first import (after `from __future__` imports), if missing. */
export function importEdit(root: Node, aliases: ReadonlyMap<string, string>, module: string): Fix['edits'] {
  if (aliases.get(module) === module) return [];
  const statements = children(root);
  const imports = statements.filter(
    (node) => node.type === 'import_statement' || node.type === 'import_from_statement',
  );
  const first = imports.find((node) => !node.text.startsWith('from __future__'));
  if (first) return [{ start: first.startIndex, end: first.startIndex, replacement: `import ${module}\n` }];
  const future = imports.filter((node) => node.text.startsWith('from __future__')).at(-1);
  if (future) return [{ start: future.endIndex, end: future.endIndex, replacement: `\nimport ${module}` }];
  const docstring =
    statements[0]?.type === 'expression_statement' && children(statements[0])[0]?.type === 'string'
      ? statements[0]
      : undefined;
  if (docstring) return [{ start: docstring.endIndex, end: docstring.endIndex, replacement: `\nimport ${module}` }];
  return [{ start: 0, end: 0, replacement: `import ${module}\n` }];
}
