// expect: vulnerable insecure_randomness CWE-338
// model: javascript/express-cookies.json
const express = require('express');
const app = express();
app.post('/login', (req, res) => {
  const remember = Math.floor(Math.random() * 1e12).toString(36);
  res.cookie('remember', remember, { httpOnly: true, secure: true });
  res.sendStatus(204);
});
