// expect: vulnerable code_injection CWE-95
const express = require('express');
const app = express();

app.get('/calc', (req, res) => {
  const result = eval(req.query.expr);
  res.json({ result });
});
