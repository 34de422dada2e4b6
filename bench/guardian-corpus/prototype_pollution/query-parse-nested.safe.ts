// expect: safe prototype_pollution CWE-1321
export function parseParams(search: string): Record<string, any> {
  const out: Record<string, any> = Object.create(null);
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const [rawKey, rawValue] = pair.split('=');
    const [head, tail] = decodeURIComponent(rawKey).split('.');
    if (tail) {
      out[head] = out[head] || Object.create(null);
      out[head][tail] = decodeURIComponent(rawValue ?? '');
    } else out[head] = decodeURIComponent(rawValue ?? '');
  }
  return out;
}
parseParams(location.search);
