// expect: safe code_injection CWE-95
const express = require('express');
const app = express();

app.post('/calc', (req, res) => {
  const param = req.body.expression || '';
  const num = 86;
  const bar = 7 * 18 + num > 200 ? '1 + 1' : param;
  res.json({ result: eval(bar) });
});
