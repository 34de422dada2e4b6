import type { Node } from 'web-tree-sitter';
import type { TextEdit } from './rule.js';

/** Every node under (and including) `root` in document order, without recursion. */
export function allNodes(root: Node): Node[] {
  const result: Node[] = [];
  const cursor = root.walk();
  try {
    let descending = true;
    for (;;) {
      if (descending) result.push(cursor.currentNode);
      if (descending && cursor.gotoFirstChild()) continue;
      if (cursor.gotoNextSibling()) {
        descending = true;
        continue;
      }
      if (!cursor.gotoParent()) break;
      descending = false;
    }
  } finally {
    cursor.delete();
  }
  return result;
}

/** The nodes of `types` under `node` (excluding `node`), in document order. */
export function descendants(node: Node, types: readonly string[]): Node[] {
  return node.descendantsOfType([...types]).filter((candidate) => candidate.id !== node.id);
}

export function* ancestors(node: Node): Generator<Node> {
  for (let current = node.parent; current; current = current.parent) yield current;
}

/** Whether the node has an anonymous child token with this text (e.g. `async`, `*`). */
export const hasToken = (node: Node, token: string) =>
  node.children.some((child) => !child.isNamed && child.type === token);

export const lineOf = (node: Node) => node.startPosition.row + 1;

/**
 * The edit that deletes a statement: its whole lines when nothing but whitespace (or a trailing line
 * comment) shares them, otherwise just its text and the spaces after it. Undefined when the statement
 * shares its first line with other code in a language where lines matter (Python).
 */
export function removeStatement(code: string, node: Node, commentMarker: '//' | '#'): TextEdit | undefined {
  const lineStart = code.lastIndexOf('\n', node.startIndex - 1) + 1;
  const newline = code.indexOf('\n', node.endIndex);
  const lineEnd = newline === -1 ? code.length : newline + 1;
  const before = code.slice(lineStart, node.startIndex);
  const after = code.slice(node.endIndex, newline === -1 ? code.length : newline);
  const trailing = after.trim();
  const aloneBefore = before.trim() === '';
  const aloneAfter = trailing === '' || trailing.startsWith(commentMarker);
  let edit: TextEdit;
  if (aloneBefore && aloneAfter) edit = { start: lineStart, end: lineEnd, replacement: '' };
  else if (commentMarker === '#') return undefined;
  else if (aloneAfter) {
    let start = node.startIndex;
    while (start > lineStart && (code[start - 1] === ' ' || code[start - 1] === '\t')) start--;
    edit = { start, end: node.endIndex, replacement: '' };
  } else {
    let end = node.endIndex;
    while (end < code.length && (code[end] === ' ' || code[end] === '\t')) end++;
    edit = { start: node.startIndex, end, replacement: '' };
  }
  if (commentMarker === '//' && joinsStatements(code, edit)) return undefined;
  return edit;
}

/**
 * Whether deleting the range could let the code before and after it run together: without a semicolon
 * before it, a following line starting with `(`, `[`, a template or an operator would continue the
 * previous statement (no automatic semicolon insertion there).
 */
function joinsStatements(code: string, edit: TextEdit): boolean {
  const previous = code.slice(0, edit.start).trimEnd();
  const next = code.slice(edit.end).trimStart();
  if (previous === '' || /[;{}]$/.test(previous)) return false;
  return /^[([`+\-*/%,.?<>=&|^!~]/.test(next) || next.startsWith('in') || next.startsWith('instanceof');
}

/** Applies non-overlapping edits; undefined when they overlap or fall outside the code. */
export function applyEdits(code: string, edits: readonly TextEdit[]): string | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = '';
  let position = 0;
  for (const edit of sorted) {
    if (edit.start < position || edit.end < edit.start || edit.end > code.length) return undefined;
    result += code.slice(position, edit.start) + edit.replacement;
    position = edit.end;
  }
  return result + code.slice(position);
}

/** Where an offset of the edited code was in the code before `edits` (sorted, non-overlapping). */
export function offsetBefore(offset: number, edits: readonly TextEdit[]): number {
  let delta = 0;
  for (const edit of edits) {
    const newStart = edit.start + delta;
    const newEnd = newStart + edit.replacement.length;
    if (offset < newStart) break;
    if (offset < newEnd) return edit.start;
    delta += edit.replacement.length - (edit.end - edit.start);
  }
  return offset - delta;
}

export const lineAtOffset = (code: string, offset: number) => {
  let line = 1;
  for (let index = code.indexOf('\n'); index !== -1 && index < offset; index = code.indexOf('\n', index + 1)) line++;
  return line;
};

/**
 * The edits that delete some items of a comma-separated list (import specifiers, imported modules), each
 * with the comma joining it to its neighbours; at least one item must stay. An item alone on its line goes
 * with the line.
 */
export function removeListItems(code: string, items: readonly Node[], removed: ReadonlySet<number>): TextEdit[] {
  const kept = items.map((item, index) => (removed.has(item.id) ? -1 : index)).filter((index) => index >= 0);
  const lastKept = kept[kept.length - 1];
  if (lastKept === undefined) return [];
  const edits: TextEdit[] = [];
  for (const [index, item] of items.entries()) {
    if (!removed.has(item.id) || index > lastKept) continue;
    const comma = item.nextSibling;
    if (comma?.type !== ',') return [];
    let end = comma.endIndex;
    while (end < code.length && (code[end] === ' ' || code[end] === '\t')) end++;
    const lineStart = code.lastIndexOf('\n', item.startIndex - 1) + 1;
    if (code.slice(lineStart, item.startIndex).trim() === '' && (code[end] === '\n' || end === code.length)) {
      edits.push({ start: lineStart, end: Math.min(code.length, end + 1), replacement: '' });
    } else {
      edits.push({ start: item.startIndex, end, replacement: '' });
    }
  }
  const trailing = items.slice(lastKept + 1);
  if (trailing.length > 0) {
    const comma = items[lastKept]!.nextSibling;
    if (comma?.type !== ',') return [];
    edits.push({ start: comma.startIndex, end: trailing[trailing.length - 1]!.endIndex, replacement: '' });
  }
  return edits;
}
