// expect: vulnerable redos CWE-1333
const express = require('express');
const app = express();
app.post('/profile', express.json(), (req, res) => {
  const nickname = String(req.body.nickname).replace(/^\s+|\s+$/g, '');
  res.json({ nickname });
});
