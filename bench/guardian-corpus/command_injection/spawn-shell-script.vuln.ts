// expect: vulnerable command_injection CWE-78
// model: javascript/child-process.json
import { spawn as start } from 'node:child_process';
import express from 'express';
const app = express();
app.post('/convert', (req, res) => {
  start('/bin/bash', ['-c', `convert ${req.body.file} out.png`]);
  res.sendStatus(202);
});
