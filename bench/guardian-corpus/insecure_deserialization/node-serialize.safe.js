// expect: safe insecure_deserialization CWE-502
const express = require('express');
const cookieParser = require('cookie-parser');
const app = express();
app.use(cookieParser());

app.get('/', (req, res) => {
  const prefs = JSON.parse(Buffer.from(req.cookies.prefs, 'base64').toString());
  res.json({ theme: prefs.theme });
});
