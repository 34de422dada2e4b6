// expect: vulnerable command_injection CWE-78
// model: javascript/util.json
const { promisify } = require('util');
const { exec } = require('child_process');
const express = require('express');
const sh = promisify(exec);
const app = express();
app.get('/dig', async (req, res) => {
  const { stdout } = await sh(`dig ${req.query.domain}`);
  res.send(stdout);
});
