// `npm run build` (also run by `npm install` and `npm ci` through `prepare`): compiles src/ to dist/ with tsc,
// emitting only (`noCheck`: `npm run typecheck` is the type check), so `bin/lvlup.js` starts plain JavaScript.
// dist/ is emptied first: a file deleted or renamed in src/ must not live on in dist/ (a stale route folder
// would still be loaded by autoload). dist/build-stamp.json records when the build read the sources; the CLI
// runs dist/ only while nothing under src/ changed after that (see bin/lvlup.js).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const distribution = new URL('dist/', root);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(distribution, { recursive: true, force: true });
// Taken before tsc reads anything: a source saved while tsc runs is newer than the stamp, so the CLI sees the
// build as stale rather than trusting output that may predate that change.
const sourcesReadAt = Date.now();
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  rmSync(distribution, { recursive: true, force: true });
  process.exit(compiled.status ?? 1);
}
writeFileSync(new URL('build-stamp.json', distribution), `${JSON.stringify({ sources_read_at: sourcesReadAt })}\n`);
