// expect: vulnerable redos CWE-1333
const express = require('express');
const app = express();
const names = ['alice', 'bob', 'carol'];

app.get('/filter', (req, res) => {
  const re = new RegExp(req.query.pattern);
  res.json(names.filter((n) => re.test(n)));
});
