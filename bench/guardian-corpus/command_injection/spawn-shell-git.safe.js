// expect: safe command_injection CWE-78
import { spawn } from 'node:child_process';

export default async function handler(req, res) {
  const branch = String(req.query.branch);
  const child = spawn('git', ['log', '--oneline', '--', branch], { cwd: '/srv/repo' });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('close', () => res.status(200).send(out));
}
