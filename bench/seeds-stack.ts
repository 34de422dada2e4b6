// lvlup against the seeds' own stack, side by side: the seed-000 proposal routes written with FastAPI + async
// SQLAlchemy + asyncpg on one uvicorn worker (bench/servers/seed_stack.py, Debian's python3-fastapi,
// python3-sqlalchemy, python3-asyncpg, uvicorn, python3-uvloop, python3-httptools) and lvlup (rate limiting
// and the worker off), each over 10,000 stored proposals in a database of its own on the same PostgreSQL
// (BENCH_DATABASE_URL, default the local server's `test` database), then lvlup on PGlite; and GET /health
// against raw node:http. Load: wrk, 2 threads and 32 connections for 10 s after a 3 s warm-up, one server at a
// time, each server in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { adminKey, seed, STORED } from './http-proposals.js';
import { serve, writeResult } from './support.js';

const threads = Number(process.env.BENCH_THREADS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const warmUpSeconds = Number(process.env.BENCH_WARM_UP ?? 3);
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const wrkFolder = path.join(import.meta.dirname, 'wrk');

interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function wrk(url: string, script: 'get.lua' | 'create-proposal.lua', seconds: number, authorization = '') {
  const child = spawn(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '-s', path.join(wrkFolder, script), url],
    {
      env: { ...process.env, BENCH_AUTHORIZATION: authorization, BENCH_RUN: randomUUID() },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = /WRK_JSON (\{.*\})/.exec(output)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${output}`);
  const figures = JSON.parse(line) as Record<string, number>;
  return {
    requestsPerSecond: figures.requests! / (figures.duration_us! / 1e6),
    p50Ms: figures.p50_us! / 1000,
    p99Ms: figures.p99_us! / 1000,
    non2xx: figures.non2xx!,
    errors: figures.errors!,
  } satisfies WrkResult;
}

async function measureRoutes(baseUrl: string, authorization = '') {
  const listUrl = `${baseUrl}/proposals/?limit=50`;
  await wrk(listUrl, 'get.lua', warmUpSeconds, authorization);
  const list = await wrk(listUrl, 'get.lua', durationSeconds, authorization);
  await wrk(`${baseUrl}/proposals/`, 'create-proposal.lua', warmUpSeconds, authorization);
  const create = await wrk(`${baseUrl}/proposals/`, 'create-proposal.lua', durationSeconds, authorization);
  return { list, create };
}

async function measureHealth(baseUrl: string) {
  await wrk(`${baseUrl}/health`, 'get.lua', warmUpSeconds);
  return wrk(`${baseUrl}/health`, 'get.lua', durationSeconds);
}

/** A database of its own on the benchmark's PostgreSQL server; `drop` removes it. */
async function scratchDatabase() {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `lvlup_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(url: string, child: ChildProcess) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    const answered = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function measureSeedStack() {
  const database = await scratchDatabase();
  try {
    const port = await freePort();
    const child = spawn(
      python,
      ['-m', 'uvicorn', 'seed_stack:app', '--app-dir', path.join(import.meta.dirname, 'servers')]
        .concat(['--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--no-access-log'])
        .concat(['--log-level', 'warning']),
      {
        env: { ...process.env, DATABASE_URL: database.url.replace(/^postgres:/, 'postgresql+asyncpg:') },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitForHealth(url, child);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(
        `insert into proposals (id, ai_type, status, file_path, code_before, code_after, diff, additions, deletions, created_at, updated_at)
         select gen_random_uuid(), (array['imperium','guardian','sandbox','conquest'])[1 + i % 4], 'pending',
                'src/file-' || i || '.js', 'let a = ' || i || ';\n', 'const a = ' || i || ';\n',
                '--- a/src/file-' || i || '.js\n+++ b/src/file-' || i || '.js\n@@ -1 +1 @@\n-let a = ' || i || ';\n+const a = ' || i || ';\n',
                1, 1, now() - (i || ' seconds')::interval, now()
         from generate_series(1, ${STORED}) as i`,
      );
      await client.query('analyze proposals');
      await client.end();
      return { ...(await measureRoutes(url)), health: await measureHealth(url) };
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    }
  } finally {
    await database.drop();
  }
}

async function measureLvlup(kind: 'pglite' | 'postgres') {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-seeds-'));
  const database = kind === 'postgres' ? await scratchDatabase() : undefined;
  const environment: Record<string, string> = {
    LVLUP_DATA_DIR: dataDirectory,
    LVLUP_ADMIN_API_KEY: adminKey,
    RATE_LIMIT_ENABLED: 'false',
    LVLUP_WORKER: 'false',
    DATABASE_POOL_SIZE: String(connections),
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  try {
    await seed(environment as { LVLUP_DATA_DIR: string; DATABASE_URL?: string });
    const served = await serve(path.join(import.meta.dirname, 'servers', 'lvlup.ts'), environment);
    try {
      return { ...(await measureRoutes(served.url, `Bearer ${adminKey}`)), health: await measureHealth(served.url) };
    } finally {
      await served.stop();
    }
  } finally {
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  }
}

async function measureRawHealth() {
  const served = await serve(path.join(import.meta.dirname, 'servers', 'raw-node-http.ts'));
  try {
    return await measureHealth(served.url);
  } finally {
    await served.stop();
  }
}

export async function benchSeedsStack() {
  const seedStack = await measureSeedStack();
  const postgres = await measureLvlup('postgres');
  const pglite = await measureLvlup('pglite');
  const raw = await measureRawHealth();
  const row = (route: string, figures: WrkResult, yardstick: WrkResult) => ({
    route,
    'req/s': Math.round(figures.requestsPerSecond),
    'p50 ms': Number(figures.p50Ms.toFixed(1)),
    'p99 ms': Number(figures.p99Ms.toFixed(1)),
    'non-2xx': figures.non2xx,
    errors: figures.errors,
    ratio: Number((figures.requestsPerSecond / yardstick.requestsPerSecond).toFixed(2)),
  });
  console.log(
    `\nlvlup vs the seeds' stack (FastAPI + async SQLAlchemy + asyncpg, 1 uvicorn worker), ${STORED} proposals, ` +
      `wrk ${threads} threads / ${connections} connections, ${durationSeconds} s after ${warmUpSeconds} s; ratio = req/s ÷ the yardstick's`,
  );
  console.table([
    row("seeds' stack GET /proposals/?limit=50 (PostgreSQL)", seedStack.list, seedStack.list),
    row('lvlup GET /proposals/?limit=50 (PostgreSQL)', postgres.list, seedStack.list),
    row('lvlup GET /proposals/?limit=50 (PGlite)', pglite.list, seedStack.list),
    row("seeds' stack POST /proposals/ (PostgreSQL)", seedStack.create, seedStack.create),
    row('lvlup POST /proposals/ (PostgreSQL)', postgres.create, seedStack.create),
    row('lvlup POST /proposals/ (PGlite)', pglite.create, seedStack.create),
    row('raw node:http GET /health', raw, raw),
    row("seeds' stack GET /health", seedStack.health, raw),
    row('lvlup GET /health (PostgreSQL)', postgres.health, raw),
    row('lvlup GET /health (PGlite)', pglite.health, raw),
  ]);
  console.log('goals: list ≥ 10× (p99 < 20 ms), create ≥ 3×, /health ≥ 0.5× raw node:http, PGlite list ≥ 5×');
  const file = writeResult('seeds-stack', {
    threads,
    connections,
    duration_seconds: durationSeconds,
    warm_up_seconds: warmUpSeconds,
    stored: STORED,
    load_average: os.loadavg(),
    seed_stack: seedStack,
    lvlup_postgres: postgres,
    lvlup_pglite: pglite,
    raw_node_http: raw,
  });
  console.log(`written to ${file}`);
}
