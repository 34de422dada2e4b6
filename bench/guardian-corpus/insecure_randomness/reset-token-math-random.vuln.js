// expect: vulnerable insecure_randomness CWE-338
function createResetToken() {
  let token = '';
  for (let i = 0; i < 32; i++) token += Math.floor(Math.random() * 16).toString(16);
  return token;
}

module.exports = async function requestReset(req, res) {
  const token = createResetToken();
  await req.db.saveResetToken(req.body.email, token);
  res.sendStatus(202);
};
