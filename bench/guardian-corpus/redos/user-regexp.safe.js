// expect: safe redos CWE-1333
const express = require('express');
const escapeRegExp = require('lodash/escapeRegExp');
const app = express();
const names = ['alice', 'bob', 'carol'];

app.get('/filter', (req, res) => {
  const re = new RegExp(escapeRegExp(String(req.query.pattern)));
  res.json(names.filter((n) => re.test(n)));
});
