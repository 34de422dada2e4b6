// expect: vulnerable command_injection CWE-78
const { execSync } = require('child_process');
const express = require('express');
const app = express();

function archive(folder) {
  return execSync(`tar -czf /tmp/backup.tgz ${folder}`);
}

app.post('/backup', (req, res) => {
  archive(req.body.folder);
  res.sendStatus(202);
});
