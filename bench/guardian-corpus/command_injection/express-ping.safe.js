// expect: safe command_injection CWE-78
const { execFile } = require('child_process');
const express = require('express');
const app = express();

app.get('/tools/ping', (req, res) => {
  execFile('ping', ['-c', '3', String(req.query.host)], (error, stdout) => {
    res.type('text').send(error ? 'failed' : stdout);
  });
});
app.listen(3000);
