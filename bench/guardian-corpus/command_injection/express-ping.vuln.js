// expect: vulnerable command_injection CWE-78
const { exec } = require('child_process');
const express = require('express');
const app = express();

app.get('/tools/ping', (req, res) => {
  exec(`ping -c 3 ${req.query.host}`, (error, stdout) => {
    res.type('text').send(error ? 'failed' : stdout);
  });
});
app.listen(3000);
