// expect: safe path_traversal CWE-22
// model: javascript/fs-promises.json
import { readFile } from 'node:fs/promises';
import express from 'express';
const PAGES = new Set(['intro.md', 'usage.md']);
const app = express();
app.get('/docs/:page', async (req, res) => {
  const page = req.params.page;
  if (!PAGES.has(page)) return res.sendStatus(404);
  res.send(await readFile('docs/' + page, 'utf8'));
});
