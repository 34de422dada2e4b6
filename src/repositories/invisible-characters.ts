/**
 * Characters that change how a name is shown without being seen themselves: control characters (C0, DEL,
 * C1), format characters — zero-width spaces and joiners, the bidirectional embeddings, overrides and
 * isolates of "Trojan Source", the byte-order mark, the soft hyphen — and the line and paragraph
 * separators. A path or branch name holding one can read as another name to the person reviewing it.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** The first invisible or direction-changing character in `text` as `U+XXXX`, or undefined when none. */
export function findInvisibleCharacter(text: string): string | undefined {
  const match = INVISIBLE.exec(text);
  if (!match) return undefined;
  return `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
