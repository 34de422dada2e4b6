// Small pieces of generated source text. Generated code is read by people: these keep its quoting and
// layout in one style (single-quoted strings, two-space indentation, one trailing newline).

/** A TypeScript string literal in single quotes. */
export function stringLiteral(text: string): string {
  const escaped = text
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
  return `'${escaped}'`;
}

/** A PostgreSQL identifier. Model names are plain snake_case, so quoting never needs escaping. */
export const sqlName = (name: string) => `"${name}"`;

/** The lines, each indented by `depth` levels of two spaces (empty lines stay empty). */
export function indent(text: string, depth = 1): string {
  const padding = '  '.repeat(depth);
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? padding + line : line))
    .join('\n');
}

/** A file's text: the parts joined by blank lines, ending with one newline. */
export function fileText(...parts: readonly (string | false | undefined)[]): string {
  return `${parts
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .map((part) => part.replace(/\n+$/, ''))
    .join('\n\n')}\n`;
}

/** An import line naming the given things, sorted, or nothing when there are none. */
export function importLine(names: readonly string[], from: string): string | undefined {
  if (names.length === 0) return undefined;
  const key = (name: string) => name.replace(/^type /, '');
  const sorted = [...new Set(names)].sort((left, right) => (key(left) < key(right) ? -1 : 1));
  const allTypes = sorted.every((name) => name.startsWith('type '));
  const listed = allTypes ? sorted.map((name) => name.slice('type '.length)) : sorted;
  const line = `import ${allTypes ? 'type ' : ''}{ ${listed.join(', ')} } from '${from}';`;
  if (line.length <= 120) return line;
  return `import ${allTypes ? 'type ' : ''}{\n${listed.map((name) => `  ${name},\n`).join('')}} from '${from}';`;
}

/** `a post`, `an author`. */
export const withArticle = (noun: string) => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

/** `[a, b]` when it fits in `width` characters, else one item a line, indented under `padding`. */
export function arrayText(items: readonly string[], padding: string, width = 100): string {
  const line = `[${items.join(', ')}]`;
  if (padding.length + line.length <= width) return line;
  return `[\n${items.map((item) => `${padding}  ${item},\n`).join('')}${padding}]`;
}
