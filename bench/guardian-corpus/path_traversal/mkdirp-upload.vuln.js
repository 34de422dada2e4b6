// expect: vulnerable path_traversal CWE-22
// model: javascript/mkdirp.json
const mkdirp = require('mkdirp');
const express = require('express');
const app = express();
app.post('/folders', (req, res) => {
  mkdirp.sync('/srv/uploads/' + req.body.folder);
  res.sendStatus(201);
});
