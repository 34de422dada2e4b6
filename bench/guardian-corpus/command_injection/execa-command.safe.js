// expect: safe command_injection CWE-78
// model: javascript/execa.json
import { execaCommand } from 'execa';
import express from 'express';
const app = express();
app.get('/ping', async (req, res) => {
  const { stdout } = await execaCommand('ping -c 1 localhost');
  res.send(stdout + req.query.host.length);
});
