// expect: vulnerable weak_crypto CWE-328
const crypto = require('crypto');

function downloadToken(fileId, expires, serverSecret) {
  return crypto.createHash('md5').update(`${fileId}:${expires}:${serverSecret}`).digest('hex');
}

function verifyDownload(fileId, expires, token, serverSecret) {
  return Date.now() < expires && token === downloadToken(fileId, expires, serverSecret);
}
module.exports = { downloadToken, verifyDownload };
