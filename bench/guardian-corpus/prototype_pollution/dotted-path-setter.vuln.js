// expect: vulnerable prototype_pollution CWE-1321
function assignPath(target, dotted, value) {
  const segments = dotted.split('.');
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
