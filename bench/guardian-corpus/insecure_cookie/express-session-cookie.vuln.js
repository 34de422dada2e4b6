// expect: vulnerable insecure_cookie CWE-614
const express = require('express');
const app = express();

app.post('/login', (req, res) => {
  const sid = req.app.locals.sessions.create(req.body.user);
  res.cookie('sid', sid, { httpOnly: false, secure: false });
  res.sendStatus(204);
});
