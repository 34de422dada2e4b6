// expect: safe xxe CWE-611
const libxmljs = require('libxmljs');
const express = require('express');
const app = express();
app.use(express.text({ type: 'application/xml' }));

app.post('/import', (req, res) => {
  const doc = libxmljs.parseXml(req.body, { noent: false, nonet: true });
  res.json({ root: doc.root().name() });
});
