/**
 * Python's `re` syntax rewritten into the ECMAScript spelling of the same language, so that one parser
 * (regexpp) reads both. Only the constructs whose spelling or meaning differs are rewritten:
 * - `(?P<name>…)` is `(?<name>…)`, `(?P=name)` is `\k<name>`;
 * - global inline flags `(?s)`, `(?aiLmsux)` become options (only `s` matters here), and scoped flags
 *   `(?x-s:…)` keep the ones ECMAScript modifiers know (`i`, `m`, `s`);
 * - `\A` is `^`, `\Z` (and `\z`, Python 3.14) is `$`;
 * - a `]` first in a class is a literal (`[]a]`, `[^]]`), where ECMAScript reads `[]`/`[^]`;
 * - `{,n}` is `{0,n}`, and `\UXXXXXXXX` a `\uXXXX` escape;
 * - possessive quantifiers (`a++`, Python 3.11) match the same language as greedy ones.
 * Anything else is passed through, and the parser refuses what ECMAScript does not know.
 */
export interface TranslatedPattern {
  readonly source: string;
  /** A global `(?s)` flag. */
  readonly dotAll: boolean;
}

const SCOPED_FLAGS = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?:/;
const GLOBAL_FLAGS = /^\(\?([aiLmsux]+)\)/;
const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\}|\{,\d+\})/;

export function pythonToEcmaScript(pattern: string): TranslatedPattern {
  let source = '';
  let dotAll = false;
  let at = 0;
  let inClass = false;
  while (at < pattern.length) {
    const rest = pattern.slice(at);
    const c = pattern[at]!;
    if (c === '\\') {
      const escaped = pattern[at + 1] ?? '';
      const astral = /^\\U([0-9a-fA-F]{8})/.exec(rest);
      if (astral) {
        // the judgement puts every code point past ASCII but U+2028/U+2029 in one set, as it does U+FFFF
        const code = Math.min(parseInt(astral[1]!, 16), 0xffff);
        source += `\\u${code.toString(16).padStart(4, '0')}`;
        at += astral[0].length;
        continue;
      }
      if (!inClass && (escaped === 'A' || escaped === 'Z' || escaped === 'z')) source += escaped === 'A' ? '^' : '$';
      else source += c + escaped;
      at += 2;
    } else if (inClass) {
      if (c === ']') inClass = false;
      source += c === '[' ? '\\[' : c;
      at++;
    } else if (c === '[') {
      inClass = true;
      const opening = rest.startsWith('[^') ? '[^' : '[';
      source += opening;
      at += opening.length;
      if (pattern[at] === ']') {
        source += '\\]';
        at++;
      }
    } else if (rest.startsWith('(?P<')) {
      source += '(?<';
      at += 4;
    } else if (/^\(\?P=\w+\)/.test(rest)) {
      const end = pattern.indexOf(')', at);
      source += `\\k<${pattern.slice(at + 4, end)}>`;
      at = end + 1;
    } else if (GLOBAL_FLAGS.test(rest)) {
      const [whole, flags = ''] = GLOBAL_FLAGS.exec(rest)!;
      dotAll ||= flags.includes('s');
      at += whole.length;
    } else if (SCOPED_FLAGS.test(rest)) {
      const [whole, on = '', off = ''] = SCOPED_FLAGS.exec(rest)!;
      const [add, remove] = [on, off].map((flags) => flags.replace(/[^ims]/g, ''));
      source += `(?${add}${remove ? `-${remove}` : ''}:`;
      at += whole.length;
    } else if (QUANTIFIER.test(rest)) {
      const quantifier = QUANTIFIER.exec(rest)![0];
      source += quantifier.startsWith('{,') ? `{0${quantifier.slice(1)}` : quantifier;
      at += quantifier.length;
      if (pattern[at] === '?') {
        source += '?';
        at++;
      } else if (pattern[at] === '+') at++; // possessive
    } else {
      source += c;
      at++;
    }
  }
  return { source, dotAll };
}
