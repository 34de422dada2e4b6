// expect: safe weak_crypto CWE-327
const crypto = require('crypto');
const util = require('util');
const scrypt = util.promisify(crypto.scrypt);

async function register(db, username, password) {
  const salt = crypto.randomBytes(16);
  const hash = (await scrypt(password, salt, 64)).toString('hex');
  await db.query('INSERT INTO users (username, password_hash, salt) VALUES ($1, $2, $3)', [username, hash, salt.toString('hex')]);
}
module.exports = { register };
