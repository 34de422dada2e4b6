// expect: safe ssrf CWE-918
const express = require('express');
const puppeteer = require('puppeteer');
const app = express();

app.get('/snapshot', async (req, res) => {
  const browser = await puppeteer.launch();
  const page = await browser.newPage();
  await page.goto(`https://status.example.net/boards/${encodeURIComponent(req.query.board)}`);
  res.type('png').send(await page.screenshot());
  await browser.close();
});
