// expect: vulnerable insecure_deserialization CWE-502
const serialize = require('node-serialize');
const express = require('express');
const cookieParser = require('cookie-parser');
const app = express();
app.use(cookieParser());

app.get('/', (req, res) => {
  const prefs = serialize.unserialize(Buffer.from(req.cookies.prefs, 'base64').toString());
  res.send('theme: ' + prefs.theme);
});
