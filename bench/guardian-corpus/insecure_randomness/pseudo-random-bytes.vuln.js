// expect: vulnerable insecure_randomness CWE-338
const crypto = require('crypto');

function newApiKey() {
  return crypto.pseudoRandomBytes(24).toString('base64url');
}

module.exports = { newApiKey };
