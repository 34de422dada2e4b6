// expect: safe ssrf CWE-918
const express = require('express');
const app = express();
const ALLOWED_HOSTS = new Set(['news.example.com', 'blog.example.com']);

app.get('/preview', async (req, res) => {
  const target = new URL(String(req.query.url));
  if (target.protocol !== 'https:' || !ALLOWED_HOSTS.has(target.hostname)) return res.sendStatus(400);
  const response = await fetch(`https://${target.hostname === 'news.example.com' ? 'news.example.com' : 'blog.example.com'}${target.pathname}`);
  const html = await response.text();
  res.json({ title: /<title>([^<]*)<\/title>/i.exec(html)?.[1] });
});
