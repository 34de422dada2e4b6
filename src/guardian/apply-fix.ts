import type { Fix } from '../analysis/guardian/finding.js';

/** The code with a fix's edits applied, or undefined when the edits overlap or fall outside the code. */
export function applyFix(code: string, fix: Fix): string | undefined {
  const edits = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let patched = '';
  let position = 0;
  for (const edit of edits) {
    if (edit.start < position || edit.end < edit.start || edit.end > code.length) return undefined;
    patched += code.slice(position, edit.start) + edit.replacement;
    position = edit.end;
  }
  return patched + code.slice(position);
}
