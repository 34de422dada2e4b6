// expect: safe insecure_randomness CWE-338
// model: javascript/express-cookies.json
const express = require('express');
const crypto = require('crypto');
const app = express();
app.post('/login', (req, res) => {
  const remember = crypto.randomBytes(24).toString('base64url');
  res.cookie('remember', remember, { httpOnly: true, secure: true });
  res.sendStatus(204);
});
