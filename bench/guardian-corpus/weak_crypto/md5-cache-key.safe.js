// expect: safe weak_crypto CWE-328
const crypto = require('crypto');

const responses = new Map();

function cacheKey(method, url) {
  return crypto.createHash('md5').update(`${method} ${url}`).digest('hex');
}

async function cachedFetch(method, url) {
  const key = cacheKey(method, url);
  if (!responses.has(key)) responses.set(key, await fetch(url, { method }).then((r) => r.text()));
  return responses.get(key);
}
module.exports = { cachedFetch };
