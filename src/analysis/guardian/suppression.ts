import type { Language } from '../languages.js';

const PATTERN = /lvlup-ignore(?:[ \t]+([A-Za-z0-9_.,\- \t]+))?/;

/**
 * Lines whose findings are suppressed, and for which rules (`*` for all): a comment
 * `// lvlup-ignore <rule>[, <rule>…]` (`# lvlup-ignore …` in Python) applies to its own line when it
 * follows code, and to the next line when it stands alone. Comments are recognised by their marker
 * only; a marker inside a string literal on a line of code is a rare false suppression we accept.
 */
export function suppressedRules(code: string, language: Language): Map<number, Set<string>> {
  const marker = language === 'python' ? '#' : '//';
  const result = new Map<number, Set<string>>();
  const lines = code.split('\n');
  for (const [index, text] of lines.entries()) {
    const at = text.indexOf(marker);
    if (at === -1) continue;
    const match = PATTERN.exec(text.slice(at + marker.length));
    if (!match) continue;
    const rules = (match[1] ?? '')
      .split(/[\s,]+/)
      .map((rule) => rule.trim())
      .filter(Boolean);
    const standalone = text.slice(0, at).trim() === '';
    const line = index + 1 + (standalone ? 1 : 0);
    const set = result.get(line) ?? new Set<string>();
    for (const rule of rules.length ? rules : ['*']) set.add(rule);
    result.set(line, set);
  }
  return result;
}
