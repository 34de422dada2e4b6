// `npm run bench -- projects`: the generation pipeline, as a user runs it, on PGlite in a temporary data folder.
//  1. time per stage and per project (the project's own started/finished times and each stage's duration),
//     first with an empty package cache (cold: every package comes from the registry) and then, for a
//     second project of the same fixture, with the cache the first one filled (warm);
//  2. the generated app's size: files, lines and bytes of what the pipeline committed, by top folder;
//  3. the generated backend's throughput on a list route: the built app runs in the Sandbox, as in the deploy
//     stage, listening on a Unix socket; autocannon loads `GET /api/<resource>` through that socket after
//     seeding rows, so the figure is the app's and its embedded database's, not a proxy's.
// BENCH_PROJECT_FIXTURE picks the spec (default blog, test/fixtures/app-specs/); BENCH_PROJECT_TARGET the
// target (default web).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import { createApiKey } from '../src/accounts/api-key-store.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/open.js';
import type { DomainEvent } from '../src/events/bus.js';
import { preparedApp } from '../src/projects/stage-work/build-stage.js';
import { runChecks } from '../src/sandbox/run-checks.js';
import { buildApp } from '../src/server/app.js';
import { writeResult } from './support.js';

const FIXTURE = process.env.BENCH_PROJECT_FIXTURE ?? 'blog';
const TARGET = process.env.BENCH_PROJECT_TARGET ?? 'web';
const LOAD_SECONDS = Number(process.env.BENCH_PROJECT_LOAD_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_PROJECT_CONNECTIONS ?? 16);

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

interface StageBody {
  stage: string;
  status: string;
  duration_ms: number | null;
}
interface ProjectBody {
  id: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  failure: unknown;
}

function call(
  target: { socketPath?: string; port?: number },
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        ...target,
        host: '127.0.0.1',
        path: url,
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Files, lines and bytes of what the pipeline committed, in all and by top folder. */
function sizeOf(folder: string) {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: folder, encoding: 'utf8' }).split('\0').filter(Boolean);
  const byFolder: Record<string, { files: number; lines: number; bytes: number }> = {};
  const total = { files: 0, lines: 0, bytes: 0 };
  for (const file of files) {
    const content = readFileSync(path.join(folder, file));
    const lines = content.toString('utf8').split('\n').length;
    const top = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
    const entry = (byFolder[top] ??= { files: 0, lines: 0, bytes: 0 });
    for (const sum of [entry, total]) {
      sum.files += 1;
      sum.lines += lines;
      sum.bytes += content.length;
    }
  }
  return { ...total, by_folder: byFolder };
}

export async function benchProjects(): Promise<void> {
  const fixture = JSON.parse(
    readFileSync(new URL(`../test/fixtures/app-specs/${FIXTURE}.json`, import.meta.url), 'utf8'),
  ) as { name: string; description: string; spec: Record<string, unknown> };
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-projects-'));
  const dataDirectory = path.join(workspace, 'data');
  const environment = {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    LVLUP_DATA_DIR: dataDirectory,
    // a cache of this run's own: the first project meets it empty
    PROJECT_PACKAGE_CACHE: path.join(workspace, 'package-cache'),
  };
  const config = loadConfig(environment);
  const database = await openDatabase({ dataDirectory, databaseUrl: undefined, databasePoolSize: 2 });
  const app = await buildApp({ config, database, version: 'bench', logStream: discard });
  await app.ready();
  try {
    const { secret } = await createApiKey(database.orm, { name: 'bench', scopes: ['admin'], createdBy: 'bench' });
    const api = async <T>(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
      const answer = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${secret}` } });
      if (answer.statusCode >= 400) throw new Error(`${method} ${url}: ${answer.statusCode} ${answer.body}`);
      return answer.json<T>();
    };
    const runProject = async (label: string) => {
      const project = await api<ProjectBody>('POST', '/api/v1/projects', {
        name: `${fixture.name}-${label}`,
        description: fixture.description,
        spec: fixture.spec,
        targets: [TARGET],
      });
      const ended = new Promise<DomainEvent>((resolve) => {
        const stop = app.services.events.subscribe((event) => {
          if (event.topic !== `projects/${project.id}`) return;
          if (event.type !== 'project.succeeded' && event.type !== 'project.failed') return;
          stop();
          resolve(event);
        });
      });
      await api('POST', `/api/v1/projects/${project.id}/start`);
      await ended;
      const stored = await api<ProjectBody>('GET', `/api/v1/projects/${project.id}`);
      if (stored.status !== 'succeeded') throw new Error(`${label}: ${JSON.stringify(stored.failure)}`);
      const stages = await api<StageBody[]>('GET', `/api/v1/projects/${project.id}/stages`);
      const totalMs = Date.parse(stored.finished_at!) - Date.parse(stored.started_at!);
      return {
        id: project.id,
        total_ms: totalMs,
        stages: Object.fromEntries(
          stages.map((stage) => [stage.stage, stage.status === 'succeeded' ? stage.duration_ms : stage.status]),
        ),
      };
    };

    console.log(`projects: ${FIXTURE} (${TARGET}), cold package cache…`);
    const cold = await runProject('cold');
    console.log(`projects: ${FIXTURE} (${TARGET}), warm package cache…`);
    const warm = await runProject('warm');
    const folder = path.join(dataDirectory, 'projects', warm.id);
    const size = sizeOf(folder);

    const throughput = await listThroughput(config, folder, fixture.spec);

    const table = Object.keys(cold.stages).map((stage) => ({
      stage,
      cold_ms: cold.stages[stage],
      warm_ms: warm.stages[stage],
    }));
    table.push({ stage: 'project (start → end)', cold_ms: cold.total_ms, warm_ms: warm.total_ms });
    console.table(table);
    console.log(
      `generated app: ${size.files} files, ${size.lines} lines, ${Math.round(size.bytes / 1024)} KiB ` +
        `(${Object.entries(size.by_folder)
          .map(([top, entry]) => `${top}: ${entry.files} files`)
          .join(', ')})`,
    );
    console.log(
      `generated backend, GET ${throughput.route} (${throughput.rows} rows, limit ${throughput.limit}), ` +
        `${CONNECTIONS} connections, ${LOAD_SECONDS} s: ${throughput.requests_per_second} req/s, ` +
        `p50 ${throughput.p50_ms} ms, p99 ${throughput.p99_ms} ms, non-2xx ${throughput.non_2xx}`,
    );
    const file = writeResult('projects', { fixture: FIXTURE, target: TARGET, cold, warm, size, throughput });
    console.log(`projects: written to ${file}`);
  } finally {
    await app.close();
    await database.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** Starts the built app in the Sandbox on a Unix socket, seeds a list and loads it. */
async function listThroughput(config: ReturnType<typeof loadConfig>, folder: string, spec: Record<string, unknown>) {
  const logs: string[] = [];
  const prepared = await preparedApp({
    project: undefined as never,
    engine: 'offline',
    folder,
    signal: new AbortController().signal,
    config,
    log: async (message) => void logs.push(message),
  });
  const { service, tree } = prepared;
  const stop = new AbortController();
  try {
    const built = await runChecks(service, {
      repositoryPath: folder,
      workTree: tree.path,
      commands: ['npm run build'],
      signal: stop.signal,
    });
    if (!built.passed) throw new Error(`npm run build failed: ${built.results[0]?.output_tail}`);
    const socketPath = path.join(tree.path, '.app.sock');
    let output = '';
    let announce: (() => void) | undefined;
    const listening = new Promise<void>((resolve) => (announce = resolve));
    const running = service.runner.run({
      command: 'exec node dist/server.js',
      workTree: tree.path,
      toolPaths: service.toolchains.paths,
      environment: { PATH: service.toolchains.searchPath, LISTEN_SOCKET: socketPath, NO_COLOR: '1', LOG_LEVEL: 'warn' },
      signal: stop.signal,
      onOutput: (chunk) => {
        output = `${output}${chunk}`.slice(-20_000);
        if (output.includes('listening on')) announce?.();
      },
    });
    await Promise.race([
      listening,
      running.then(() => {
        throw new Error(`the app stopped: ${output}`);
      }),
    ]);
    if (!(await lstat(socketPath)).isSocket()) throw new Error(`${socketPath} is not a socket`);
    // The first entity of the spec without a parent and without auth is listed (blog: authors).
    const entities = (spec as { entities: { name: string; plural?: string; parent?: string; auth?: unknown }[] })
      .entities;
    const document = JSON.parse(readFileSync(path.join(folder, 'openapi.json'), 'utf8')) as {
      paths: Record<string, { get?: unknown; post?: { requestBody?: unknown } }>;
    };
    const collection = Object.keys(document.paths).find(
      (route) => !route.includes('{') && document.paths[route]?.get && document.paths[route]?.post,
    );
    if (!collection) throw new Error('the document has no collection route');
    const target = { socketPath };
    const rows = 200;
    const limit = 50;
    const sample = sampleFor(entities, collection);
    for (let index = 0; index < rows; index += 1) {
      const created = await call(target, 'POST', collection, sample(index));
      if (created.status !== 201) throw new Error(`seeding ${collection}: ${created.status} ${created.body}`);
    }
    const result = await autocannon({
      url: `http://localhost${collection}?limit=${limit}`,
      socketPath,
      connections: CONNECTIONS,
      duration: LOAD_SECONDS,
    });
    return {
      route: collection,
      rows,
      limit,
      requests_per_second: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    stop.abort(new Error('the benchmark is over'));
    await tree.dispose();
  }
}

/** A valid body for the collection's entity: required fields only, unique ones made unique by the index. */
function sampleFor(
  entities: {
    name: string;
    fields?: { name: string; type: string; required?: boolean; values?: string[]; min_length?: number }[];
  }[],
  collection: string,
) {
  const entity = entities.find((candidate) =>
    collection.endsWith(`/${(candidate as { plural?: string }).plural ?? `${candidate.name.toLowerCase()}s`}`),
  );
  if (!entity?.fields) throw new Error(`no entity for ${collection}`);
  return (index: number) =>
    Object.fromEntries(
      entity
        .fields!.filter((field) => field.required)
        .map((field) => {
          switch (field.type) {
            case 'email':
              return [field.name, `person${index}@example.com`];
            case 'integer':
            case 'number':
              return [field.name, 1];
            case 'boolean':
              return [field.name, true];
            case 'enum':
              return [field.name, field.values![0]];
            case 'date':
              return [field.name, '2026-01-01'];
            case 'datetime':
              return [field.name, '2026-01-01T00:00:00Z'];
            case 'uuid':
              return [field.name, `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`];
            case 'url':
              return [field.name, `https://example.com/${index}`];
            default:
              return [field.name, `value ${index}`.padEnd(field.min_length ?? 0, 'x')];
          }
        }),
    );
}
