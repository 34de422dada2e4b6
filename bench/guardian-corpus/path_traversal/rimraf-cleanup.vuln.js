// expect: vulnerable path_traversal CWE-22
// model: javascript/rimraf.json
const { rimraf } = require('rimraf');
const express = require('express');
const app = express();
app.delete('/cache', async (req, res) => {
  await rimraf('/var/cache/app/' + req.query.key);
  res.sendStatus(204);
});
