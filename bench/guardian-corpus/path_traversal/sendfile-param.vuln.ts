// expect: vulnerable path_traversal CWE-22
import express from 'express';

const app = express();

app.get('/docs/:page', (req, res) => {
  res.sendFile('/var/www/docs/' + req.params.page);
});
