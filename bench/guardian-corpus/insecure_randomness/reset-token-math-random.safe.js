// expect: safe insecure_randomness CWE-338
const crypto = require('crypto');

function createResetToken() {
  return crypto.randomBytes(16).toString('hex');
}

module.exports = async function requestReset(req, res) {
  const token = createResetToken();
  await req.db.saveResetToken(req.body.email, token);
  res.sendStatus(202);
};
