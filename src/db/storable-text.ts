/**
 * What PostgreSQL can store as text. `text`, `varchar` and `jsonb` cannot hold U+0000 at all (the server
 * rejects the value, so the query fails), and a lone UTF-16 surrogate has no UTF-8 form (the driver turns it
 * into U+FFFD in a `text` column, and `jsonb` rejects its `\ud800` escape). Nothing lvlup stores is
 * binary-safe (there are no `bytea` columns), so every string that reaches storage must pass this test.
 */

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_GLOBAL = new RegExp(UNSTORABLE.source, 'g');

/** Why `text` cannot be stored, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  const match = UNSTORABLE.exec(text);
  if (!match) return undefined;
  if (match[0] === '\u0000') return 'must not contain U+0000 (NUL), which PostgreSQL cannot store';
  const unit = match[0].charCodeAt(0).toString(16).toUpperCase();
  return `must be valid Unicode: it contains a lone UTF-16 surrogate (U+${unit})`;
}

export interface UnstorableField {
  /** the path to the string, e.g. ['files', '2', 'code_after']; for an object key, the key itself */
  readonly path: readonly string[];
  readonly message: string;
}

/**
 * The strings (values and object keys) in a parsed JSON value or query object that cannot be stored,
 * at most `limit` of them. Walks with its own stack, so any nesting depth is fine.
 */
export function findUnstorableText(value: unknown, limit = 20): UnstorableField[] {
  // Each entry links to its parent instead of carrying its path, so a deeply nested value costs linear time.
  type Entry = { value: unknown; key: string | undefined; parent: Entry | undefined };
  const pathOf = (entry: Entry | undefined, last?: string): string[] => {
    const path = last === undefined ? [] : [last];
    for (let at = entry; at?.key !== undefined; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const found: UnstorableField[] = [];
  const stack: Entry[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0 && found.length < limit) {
    const entry = stack.pop()!;
    const current = entry.value;
    if (typeof current === 'string') {
      const message = unstorableReason(current);
      if (message) found.push({ path: pathOf(entry), message });
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1)
        stack.push({ value: current[index], key: String(index), parent: entry });
    } else if (typeof current === 'object' && current !== null) {
      const entries: [string, unknown][] = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, child] = entries[index]!;
        const message = unstorableReason(key);
        if (message) found.push({ path: pathOf(entry, key), message: `has a key that ${message}` });
        else stack.push({ value: child, key, parent: entry });
      }
    }
  }
  return found.slice(0, limit);
}

/** `text` with NUL characters and lone surrogates replaced by U+FFFD, for records that must always be written. */
export function toStorableText(text: string): string {
  return text.replace(UNSTORABLE_GLOBAL, '\ufffd');
}

/** A JSON value with every string (and key) made storable. */
export function toStorableJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (depth > 64 || typeof value !== 'object' || value === null) return depth > 64 ? null : value;
  if (Array.isArray(value)) return value.map((item) => toStorableJson(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [toStorableText(key), toStorableJson(child, depth + 1)]),
  );
}
