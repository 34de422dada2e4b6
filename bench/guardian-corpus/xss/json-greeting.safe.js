// expect: safe xss CWE-79
const express = require('express');
const app = express();

app.get('/greet', (req, res) => {
  res.send({ greeting: `Hello ${req.query.name}`, at: Date.now() });
});

app.listen(3000);
