// expect: safe prototype_pollution CWE-1321
const BLOCKED = new Set(['__proto__', 'constructor', 'prototype']);

function assignPath(target, dotted, value) {
  const segments = dotted.split('.');
  if (segments.some((segment) => BLOCKED.has(segment))) throw new Error('bad path');
  const leaf = segments.pop();
  let cursor = target;
  while (segments.length) {
    const segment = segments.shift();
    cursor = cursor[segment] || (cursor[segment] = {});
  }
  cursor[leaf] = value;
  return target;
}

module.exports = { assignPath };
