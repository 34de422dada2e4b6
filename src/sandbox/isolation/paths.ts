import path from 'node:path';

/** Whether `inner` is `outer` or lies below it (both absolute and normalised). */
export function isWithin(inner: string, outer: string): boolean {
  if (outer === '/') return true;
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** `/a/b/c` → `/a`, `/a/b` (without `/` and without the path itself). */
export function ancestorsOf(target: string): string[] {
  const ancestors: string[] = [];
  for (let parent = path.dirname(target); parent !== '/'; parent = path.dirname(parent)) ancestors.unshift(parent);
  return ancestors;
}

/** Validates an absolute path and normalises it (no trailing slash, no `.`/`..` segments). */
export function absolutePath(value: string, what: string): string {
  if (typeof value !== 'string' || !path.isAbsolute(value) || value.includes('\0')) {
    throw new TypeError(`${what} must be an absolute path`);
  }
  return path.resolve(value);
}
