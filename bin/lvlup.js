#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (`npm run build`, which `npm install` and `npm ci` run through
// `prepare`). When dist/ is missing or older than a change under src/ (a checkout being edited), it runs the
// TypeScript sources through tsx instead: slower to start (seconds), never stale.
import { readFileSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

/** True when dist/ was built after the last change to any file or folder under src/. */
function compiledIsCurrent() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL('dist/build-stamp.json', root), 'utf8')).sources_read_at;
  } catch {
    return false;
  }
  const sources = new URL('src/', root);
  // Folders count too: adding, deleting or renaming a file changes its folder's modification time even when
  // the file's own time is older than the build.
  if (statSync(sources).mtimeMs > stamp) return false;
  for (const entry of readdirSync(sources, { recursive: true })) {
    if (statSync(new URL(entry, sources)).mtimeMs > stamp) return false;
  }
  return true;
}

let main;
if (compiledIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (process.stderr.isTTY) {
    process.stderr.write(
      'lvlup: dist/ is missing or older than src/; running the TypeScript sources (`npm run build` starts faster)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
