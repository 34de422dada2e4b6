// GET /proposals/?limit=50 over 10,000 stored proposals and POST /proposals/, on PGlite and on
// PostgreSQL (BENCH_DATABASE_URL, default the local server's `test` database: a fresh database is
// created in it and dropped afterwards).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase } from '../src/db/open.js';
import { load, serve, summarise, writeResult, type LoadResult } from './support.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
export const STORED = 10_000;
export const adminKey = `lvl_${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`;

/** Stores STORED proposals straight into lvlup's database (migrated first). */
export async function seed(environment: { LVLUP_DATA_DIR: string; DATABASE_URL?: string }) {
  const database = await openDatabase({
    dataDirectory: environment.LVLUP_DATA_DIR,
    databaseUrl: environment.DATABASE_URL,
    databasePoolSize: 2,
  });
  await database.query(
    `insert into proposals (ai_type, status, file_path, changes, diff, hunks, additions, deletions, content_hash, created_by, created_at)
     select (array['imperium','guardian','sandbox','conquest'])[1 + i % 4], 'pending', 'src/file-' || i || '.js',
            jsonb_build_array(jsonb_build_object('file_path', 'src/file-' || i || '.js', 'code_before', 'let a = ' || i || ';\n',
              'code_after', 'const a = ' || i || ';\n', 'before_sha256', md5(i::text), 'after_sha256', md5((i + 1)::text))),
            '--- a/src/file-' || i || '.js\n+++ b/src/file-' || i || '.js\n@@ -1 +1 @@\n-let a = ' || i || ';\n+const a = ' || i || ';\n',
            1, 1, 1, md5('bench' || i), 'bench', now() - (i || ' seconds')::interval
     from generate_series(1, ${STORED}) as i`,
  );
  await database.close();
}

async function postLoad(url: string): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url: `${url}/proposals/`,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          counter += 1;
          return {
            ...request,
            body: JSON.stringify({
              ai_type: 'imperium',
              file_path: `src/bench-${process.pid}-${counter}.js`,
              code_before: 'if (list.indexOf(x) !== -1) run();\n',
              code_after: `if (list.includes(x)) run(${counter});\n`,
            }),
          };
        },
      },
    ],
  });
  return summarise(result);
}

async function measure(kind: 'pglite' | 'postgres') {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-proposals-'));
  const environment: Record<string, string> = {
    LVLUP_DATA_DIR: dataDirectory,
    LVLUP_ADMIN_API_KEY: adminKey,
    RATE_LIMIT_PER_MINUTE: '1000000000',
    DATABASE_POOL_SIZE: String(connections),
  };
  let dropDatabase = async () => undefined;
  if (kind === 'postgres') {
    const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const name = `lvlup_bench_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    environment.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  }
  try {
    await seed(environment as { LVLUP_DATA_DIR: string; DATABASE_URL?: string });
    const served = await serve(path.join(import.meta.dirname, 'servers', 'lvlup.ts'), environment);
    try {
      const headers = { authorization: `Bearer ${adminKey}` };
      const listUrl = `${served.url}/proposals/?limit=50`;
      await load({ url: listUrl, connections, durationSeconds: 2, headers });
      const list = await load({ url: listUrl, connections, durationSeconds, headers });
      const create = await postLoad(served.url);
      return { list, create };
    } finally {
      await served.stop();
    }
  } finally {
    await dropDatabase();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}

export async function benchProposals() {
  const results = { pglite: await measure('pglite'), postgres: await measure('postgres') };
  console.log(`\nProposals (${STORED} stored), ${connections} connections, ${durationSeconds} s each`);
  console.table(
    Object.entries(results).flatMap(([database, result]) =>
      Object.entries(result).map(([route, figures]) => ({
        database,
        route: route === 'list' ? 'GET /proposals/?limit=50' : 'POST /proposals/',
        'req/s': Math.round(figures.requestsPerSecond),
        'p50 ms': figures.p50Ms,
        'p99 ms': figures.p99Ms,
        non2xx: figures.non2xx,
        errors: figures.errors,
      })),
    ),
  );
  console.log('goal: list p99 under 20 ms at 32 connections on PostgreSQL');
  console.log(
    `written to ${writeResult('http-proposals', { connections, duration_seconds: durationSeconds, stored: STORED, ...results })}`,
  );
}
