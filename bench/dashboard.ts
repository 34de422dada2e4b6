// The web dashboard's budgets: the JavaScript the first page load fetches (gzip), and how long the inbox with
// 1,000 open proposals takes to show its first screen in headless Chromium (Debian's /usr/bin/chromium):
// from navigation start (a fresh page, signed in by its cookie) to the first proposal row and the total on
// screen. Budgets: ≤ 200 KB gzip, ≤ 1 s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createUser } from '../src/accounts/user-store.js';
import { openDatabase } from '../src/db/open.js';
import { serve, writeResult } from './support.js';

/** What the page functions below read of the browser (bench/ is compiled without the DOM's types). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number }; body: { innerText: string } };
  performance: { getEntriesByType(type: 'resource'): { name: string; startTime: number; responseEnd: number }[] };
  location: { origin: string };
}

const root = fileURLToPath(new URL('..', import.meta.url));
const OPEN_PROPOSALS = 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PASSWORD = 'correct horse battery staple';

function initialJavaScriptGzipBytes(): { files: string[]; gzipBytes: number; rawBytes: number } {
  const dist = path.join(root, 'web', 'dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const file of files) {
    const content = readFileSync(path.join(dist, file));
    rawBytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files, gzipBytes, rawBytes };
}

async function seed(dataDirectory: string) {
  const database = await openDatabase({ dataDirectory, databaseUrl: undefined, databasePoolSize: 2 });
  await createUser(database.orm, { email: 'bench@example.com', password: PASSWORD, role: 'maintainer' });
  await database.query(
    `insert into proposals (ai_type, status, file_path, changes, diff, hunks, additions, deletions, content_hash, created_by, created_at, description, rule_id, acceptance_score)
     select (array['imperium','guardian','sandbox','conquest'])[1 + i % 4], (array['pending','test-passed','test-failed'])[1 + i % 3],
            'src/file-' || i || '.js',
            jsonb_build_array(jsonb_build_object('file_path', 'src/file-' || i || '.js', 'code_before', 'let a = ' || i || ';\n',
              'code_after', 'const a = ' || i || ';\n', 'before_sha256', md5(i::text), 'after_sha256', md5((i + 1)::text))),
            '--- a/src/file-' || i || '.js\n+++ b/src/file-' || i || '.js\n@@ -1 +1 @@\n-let a = ' || i || ';\n+const a = ' || i || ';\n',
            1, 1, 1, md5('bench' || i), 'bench', now() - (i || ' seconds')::interval,
            'Use const for binding ' || i, 'js.prefer-const', (i % 97) / 97.0
     from generate_series(1, ${OPEN_PROPOSALS}) as i`,
  );
  await database.close();
}

export async function benchDashboard() {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'ensure-web-build.js')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('could not build the web dashboard');
  const bundle = initialJavaScriptGzipBytes();

  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-dashboard-'));
  await seed(dataDirectory);
  const server = await serve(path.join(root, 'bench', 'servers', 'lvlup.ts'), {
    LVLUP_DATA_DIR: dataDirectory,
    LVLUP_WORKER: 'false',
    RATE_LIMIT_ENABLED: 'false',
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const timings: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const signIn = await context.newPage();
    await signIn.goto(`${server.url}/`);
    await signIn.getByLabel('Email').fill('bench@example.com');
    await signIn.getByLabel('Password').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.locator('.proposal-rows li').first().waitFor();
    await signIn.close();
    for (let run = 0; run < RUNS; run += 1) {
      // A fresh page each time: the app starts, signs in again from its cookie and loads the ranked list.
      const page = await context.newPage();
      await page.goto(`${server.url}/inbox`, { waitUntil: 'commit' });
      // A function, not a string: the page's Content-Security-Policy refuses string evaluation.
      await page.waitForFunction(
        () => {
          const { document } = globalThis as unknown as PageGlobals;
          return (
            document.querySelectorAll('.proposal-rows li').length >= 20 && /\d+ proposals/.test(document.body.innerText)
          );
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      timings.push(await page.evaluate(() => performance.now()));
      if (run === RUNS - 1) {
        // Where the time went, for the last run: each request's start and end after navigation start.
        const requests = await page.evaluate(() => {
          const { performance, location } = globalThis as unknown as PageGlobals;
          return performance
            .getEntriesByType('resource')
            .map(
              (entry) =>
                `${Math.round(entry.startTime)}–${Math.round(entry.responseEnd)} ms ${entry.name.replace(location.origin, '')}`,
            );
        });
        console.log(requests.join('\n'));
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const result = {
    initial_js_gzip_kb: Math.round(bundle.gzipBytes / 102.4) / 10,
    initial_js_raw_kb: Math.round(bundle.rawBytes / 102.4) / 10,
    initial_js_files: bundle.files,
    open_proposals: OPEN_PROPOSALS,
    inbox_first_screen_ms: {
      runs: timings.map(Math.round),
      median: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      worst: Math.round(sorted.at(-1)!),
    },
    budgets: { initial_js_gzip_kb: 200, inbox_first_screen_ms: 1000 },
  };
  console.table({
    'initial JS (gzip KB)': { value: result.initial_js_gzip_kb, budget: 200 },
    'inbox first screen, median (ms)': { value: result.inbox_first_screen_ms.median, budget: 1000 },
    'inbox first screen, worst (ms)': { value: result.inbox_first_screen_ms.worst, budget: 1000 },
  });
  console.log(`wrote ${writeResult('dashboard', result)}`);
}
