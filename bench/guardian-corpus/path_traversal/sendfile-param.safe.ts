// expect: safe path_traversal CWE-22
import express from 'express';

const app = express();

app.get('/docs/:page', (req, res) => {
  res.sendFile(req.params.page, { root: '/var/www/docs' });
});
