// expect: safe open_redirect CWE-601
const express = require('express');

const app = express();
const TRUSTED = 'https://docs.example.org/';

app.get('/leave', (req, res) => {
  const target = req.query.target;
  // the whole origin and the slash after it are fixed, so the host cannot be swapped
  if (typeof target !== 'string' || !target.startsWith(TRUSTED)) {
    return res.status(400).send('unknown destination');
  }
  res.redirect(target);
});
