// expect: vulnerable path_traversal CWE-22
const express = require('express');
const path = require('path');
const fs = require('fs');
const app = express();

app.get('/download', (req, res) => {
  const file = path.join(__dirname, 'uploads', req.query.name);
  fs.createReadStream(file).pipe(res);
});
