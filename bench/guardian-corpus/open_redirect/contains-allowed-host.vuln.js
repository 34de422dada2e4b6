// expect: vulnerable open_redirect CWE-601
const express = require('express');

const app = express();
const TRUSTED = 'https://docs.example.org';

app.get('/leave', (req, res) => {
  const target = req.query.target;
  // https://evil.example/?https://docs.example.org passes a containment check
  if (!target.includes(TRUSTED)) {
    return res.status(400).send('unknown destination');
  }
  res.redirect(target);
});
