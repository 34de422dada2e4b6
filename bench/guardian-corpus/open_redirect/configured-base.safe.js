// expect: safe open_redirect CWE-601
const express = require('express');
const config = require('./config');
const app = express();

app.get('/continue', (req, res) => {
  res.redirect(config.portalBaseUrl + req.query.next);
});
