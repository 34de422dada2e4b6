// expect: vulnerable prototype_pollution CWE-1321
export function parseParams(search: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    const [rawKey, rawValue] = pair.split('=');
    const [head, tail] = decodeURIComponent(rawKey).split('.');
    if (tail) {
      out[head] = out[head] || {};
      out[head][tail] = decodeURIComponent(rawValue ?? '');
    } else out[head] = decodeURIComponent(rawValue ?? '');
  }
  return out;
}
parseParams(location.search);
