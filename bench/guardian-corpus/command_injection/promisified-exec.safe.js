// expect: safe command_injection CWE-78
// model: javascript/util.json
const { promisify } = require('util');
const { execFile } = require('child_process');
const express = require('express');
const run = promisify(execFile);
const app = express();
app.get('/dig', async (req, res) => {
  const { stdout } = await run('dig', [String(req.query.domain)]);
  res.send(stdout);
});
