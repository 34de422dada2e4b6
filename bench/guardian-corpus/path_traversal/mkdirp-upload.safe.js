// expect: safe path_traversal CWE-22
// model: javascript/mkdirp.json
const mkdirp = require('mkdirp');
const crypto = require('crypto');
const express = require('express');
const app = express();
app.post('/folders', (req, res) => {
  mkdirp.sync('/srv/uploads/' + crypto.randomUUID());
  res.sendStatus(201);
});
