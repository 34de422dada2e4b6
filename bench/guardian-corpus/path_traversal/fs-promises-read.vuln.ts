// expect: vulnerable path_traversal CWE-22
// model: javascript/fs-promises.json
import { readFile } from 'node:fs/promises';
import express from 'express';
const app = express();
app.get('/docs/:page', async (req, res) => {
  res.send(await readFile('docs/' + req.params.page, 'utf8'));
});
