// expect: safe code_injection CWE-95
const express = require('express');
const { VM } = require('vm2');
const app = express();

app.get('/calc', (req, res) => {
  const vm = new VM({ timeout: 500, sandbox: { a: Number(req.query.a), b: Number(req.query.b) } });
  const result = vm.run('a * b');
  res.json({ result });
});
