// expect: vulnerable path_traversal CWE-22
// model: javascript/fs-extra.json
const fse = require('fs-extra');
const express = require('express');
const app = express();
app.post('/notes', async (req, res) => {
  await fse.outputFile(`/srv/notes/${req.body.name}`, req.body.text);
  res.sendStatus(201);
});
