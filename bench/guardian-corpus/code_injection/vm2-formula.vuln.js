// expect: vulnerable code_injection CWE-95
const express = require('express');
const { VM } = require('vm2');
const app = express();

app.get('/calc', (req, res) => {
  const vm = new VM({ timeout: 500, sandbox: {} });
  const result = vm.run(`(${req.query.formula})`);
  res.json({ result });
});
