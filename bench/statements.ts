// Statements per request and the server's CPU time per request, for the hot routes, in one process on an
// in-memory PGlite (the app through Fastify's inject: every hook, no network). Counting statements does not
// depend on how busy the machine is, which wall-clock figures on a shared machine do.
import { Writable } from 'node:stream';
import { createApiKey } from '../src/accounts/api-key-store.js';
import { loadConfig } from '../src/config/config.js';
import type { Database, QueryObserver } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { buildApp } from '../src/server/app.js';
import { writeResult } from './support.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

export async function benchStatements() {
  const opened = await openPglite(undefined);
  await migrate(opened);
  const statements: string[] = [];
  let appObserver: QueryObserver | undefined;
  opened.observeQueries((event) => {
    appObserver?.(event);
    statements.push(event.operation);
  });
  const database: Database = { ...opened, observeQueries: (observer) => (appObserver = observer) };
  await database.query(
    `insert into proposals (ai_type, status, file_path, changes, diff, hunks, additions, deletions, content_hash, created_by)
     select 'imperium', 'pending', 'src/file-' || i || '.js', '[]'::jsonb, '', 1, 1, 1, md5('statements' || i), 'bench'
     from generate_series(1, 1000) as i`,
  );
  const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const app = await buildApp({
    config: loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'info', LVLUP_WORKER: 'false' }),
    database,
    version: 'bench',
    logStream: silent,
    worker: false,
  });
  await app.ready();
  const { secret } = await createApiKey(database.orm, { name: 'bench', scopes: ['admin'], createdBy: 'bench' });
  const headers = { authorization: `Bearer ${secret}` };
  let counter = 0;
  const routes = {
    'GET /health': () => app.inject({ method: 'GET', url: '/health' }),
    'GET /proposals/?limit=50': () => app.inject({ method: 'GET', url: '/proposals/?limit=50', headers }),
    'POST /proposals/': () => {
      counter += 1;
      return app.inject({
        method: 'POST',
        url: '/proposals/',
        headers,
        payload: {
          ai_type: 'imperium',
          file_path: `src/statements-${counter}.js`,
          code_before: 'if (list.indexOf(x) !== -1) run();\n',
          code_after: `if (list.includes(x)) run(${counter});\n`,
        },
      });
    },
  };
  const rows = [];
  for (const [route, send] of Object.entries(routes)) {
    for (let index = 0; index < 20; index += 1) await send(); // warm-up: compiled serializers, JIT, caches
    // The audit row and the key's last use are written after the response: wait for them to be counted.
    await new Promise((resolve) => setTimeout(resolve, 50));
    statements.length = 0;
    const response = await send();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const counted = [...statements];
    const started = process.cpuUsage();
    const wall = performance.now();
    for (let index = 0; index < REQUESTS; index += 1) await send();
    const cpu = process.cpuUsage(started);
    rows.push({
      route,
      status: response.statusCode,
      statements: counted.length,
      kinds: counted.join(' '),
      'cpu µs/request': Math.round((cpu.user + cpu.system) / REQUESTS),
      'wall µs/request': Math.round(((performance.now() - wall) * 1000) / REQUESTS),
    });
  }
  await app.close();
  await database.close();
  console.log(
    `\nStatements and CPU per request (in-process, PGlite in memory, ${REQUESTS} requests each, one at a time)`,
  );
  console.table(rows);
  console.log(`written to ${writeResult('statements', { requests: REQUESTS, routes: rows })}`);
}
