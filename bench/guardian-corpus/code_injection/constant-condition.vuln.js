// expect: vulnerable code_injection CWE-95
const express = require('express');
const app = express();

app.post('/calc', (req, res) => {
  const param = req.body.expression || '';
  const num = 86;
  const bar = 7 * 18 + num > 200 ? param : '1 + 1';
  res.json({ result: eval(bar) });
});
