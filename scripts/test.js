// `npm test`: every *.test.ts under src/ and test/, through node's test runner with tsx. Node 20's runner
// does not expand glob patterns itself, so the files are listed here. `node scripts/test.js <tier>` runs one
// tier: `unit` (src/**, beside the code: no database, no process), `db` (test/*.test.ts: the app in this
// process on PGlite, and on PostgreSQL and Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set) or
// `process` (test/process/**: spawned servers, the CLI, the sandbox, crashes).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const TIERS = {
  unit: (file) => file.startsWith('src/'),
  db: (file) => file.startsWith('test/') && !file.startsWith('test/process/'),
  process: (file) => file.startsWith('test/process/'),
};

const [tier, ...runnerArguments] = TIERS[process.argv[2]]
  ? process.argv.slice(2)
  : [undefined, ...process.argv.slice(2)];
const files = ['test', 'src']
  .flatMap((folder) =>
    readdirSync(folder, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.test.ts'))
      .map((file) => `${folder}/${file}`),
  )
  .filter((file) => !tier || TIERS[tier](file))
  .sort();
const child = spawn(
  process.execPath,
  // --test-force-exit: a test file's process ends when its tests have, even if something it started is still
  // pending; otherwise one leaked handle keeps that file, and the whole run, waiting until CI's time is up.
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', ...runnerArguments, ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
