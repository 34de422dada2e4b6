// expect: safe redos CWE-1333
const express = require('express');
const app = express();
app.post('/profile', express.json(), (req, res) => {
  const nickname = String(req.body.nickname).trim();
  res.json({ nickname });
});
