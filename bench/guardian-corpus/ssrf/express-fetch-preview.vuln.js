// expect: vulnerable ssrf CWE-918
const express = require('express');
const app = express();

app.get('/preview', async (req, res) => {
  const response = await fetch(req.query.url);
  const html = await response.text();
  res.json({ title: /<title>(.*?)<\/title>/i.exec(html)?.[1] });
});
