// expect: vulnerable weak_crypto CWE-327
const crypto = require('crypto');

async function register(db, username, password) {
  const hash = crypto.createHash('md5').update(password).digest('hex');
  await db.query('INSERT INTO users (username, password_hash) VALUES ($1, $2)', [username, hash]);
}
module.exports = { register };
