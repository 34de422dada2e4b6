// expect: safe path_traversal CWE-22
const express = require('express');
const path = require('path');
const fs = require('fs');
const app = express();
const BASE = path.join(__dirname, 'uploads');

app.get('/download', (req, res) => {
  const file = path.resolve(BASE, String(req.query.name));
  if (!file.startsWith(BASE + path.sep)) return res.sendStatus(400);
  fs.createReadStream(file).pipe(res);
});
