// `node scripts/smoke-start.js [NODE]`: starts `lvlup serve` with NODE (default: this node) on a fresh data
// folder, checks /health and /health/ready answer, runs `lvlup doctor`, stops the server with SIGTERM and
// expects a clean exit. CI runs it on the current Node LTS line as well as on the machine's Node.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const node = process.argv[2] ?? process.execPath;
const root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-smoke-'));
const port = await new Promise((resolve) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const environment = {
  ...process.env,
  LVLUP_DATA_DIR: path.join(root, 'data'),
  PORT: String(port),
  API_HOST: '127.0.0.1',
};
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const fail = (message) => {
  console.error(`smoke on Node ${version}: ${message}`);
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
};

const server = spawn(node, ['bin/lvlup.js', 'serve'], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
await new Promise((resolve) => {
  const look = (chunk) => {
    output += chunk.toString();
    if (output.includes('Server listening at')) resolve();
  };
  server.stdout.on('data', look);
  server.stderr.on('data', look);
  void exited.then(resolve);
});
if (server.exitCode !== null) fail(`lvlup serve exited before listening:\n${output}`);

const live = await fetch(`http://127.0.0.1:${port}/health`);
if (live.status !== 200) fail(`/health answered ${live.status}`);
const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
const readiness = await ready.json();
if (![200, 503].includes(ready.status) || typeof readiness !== 'object') fail(`/health/ready answered ${ready.status}`);

server.kill('SIGTERM');
const { code, signal } = await exited;
if (code !== 0) fail(`lvlup serve ended with ${code ?? signal} after SIGTERM:\n${output}`);

const doctor = spawnSync(node, ['bin/lvlup.js', 'doctor'], { env: environment, encoding: 'utf8' });
if (![0, 1].includes(doctor.status) || !doctor.stdout.includes('database'))
  fail(`lvlup doctor:\n${doctor.stdout}${doctor.stderr}`);
rmSync(root, { recursive: true, force: true });
console.log(
  `smoke on Node ${version}: serve listened, /health 200, /health/ready ${ready.status}, clean exit on SIGTERM; doctor:\n${doctor.stdout}`,
);
