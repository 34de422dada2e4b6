// expect: safe path_traversal CWE-22
// model: javascript/rimraf.json
const { rimraf } = require('rimraf');
const express = require('express');
const app = express();
app.delete('/cache', async (req, res) => {
  const key = parseInt(req.query.key, 10);
  await rimraf('/var/cache/app/' + key);
  res.sendStatus(204);
});
