// `npm test`: every *.test.ts under test/ and src/, through node's test runner with tsx. Node 20's
// runner does not expand glob patterns itself, so the files are listed here.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = ['test', 'src']
  .flatMap((folder) =>
    readdirSync(folder, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => `${folder}/${file}`),
  )
  .sort();
const child = spawn(
  process.execPath,
  // --test-force-exit: a test file's process ends when its tests have, even if something it started is still
  // pending; otherwise one leaked handle keeps that file, and the whole run, waiting until CI's time is up.
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
