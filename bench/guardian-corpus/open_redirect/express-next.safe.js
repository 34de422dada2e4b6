// expect: safe open_redirect CWE-601
const express = require('express');
const app = express();

app.post('/login', (req, res) => {
  req.session.user = req.body.user;
  const next = String(req.query.next || '/');
  res.redirect(/^\/(?![\/\\])/.test(next) ? next : "/");
});
