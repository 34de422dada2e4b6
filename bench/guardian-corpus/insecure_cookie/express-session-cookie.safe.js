// expect: safe insecure_cookie CWE-614
const express = require('express');
const app = express();

app.post('/login', (req, res) => {
  const sid = req.app.locals.sessions.create(req.body.user);
  res.cookie('sid', sid, { httpOnly: true, secure: true, sameSite: 'lax' });
  res.sendStatus(204);
});
