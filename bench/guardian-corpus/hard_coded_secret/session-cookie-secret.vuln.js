// expect: vulnerable hard_coded_secret CWE-798
const express = require('express');
const session = require('express-session');

const app = express();
const sessionOptions = {
  secret: 'correct horse',
  resave: false,
  saveUninitialized: false,
  cookie: { secure: true, httpOnly: true },
};

app.use(session(sessionOptions));
module.exports = app;
