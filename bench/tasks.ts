// The task queue, on PGlite (a temporary data folder) and on PostgreSQL (BENCH_DATABASE_URL, default the
// local server's `test` database: a fresh database is created in it and dropped afterwards; skipped with
// a message when the server cannot be reached):
//  1. pick-up latency, enqueue → handler start, on an idle queue, one task at a time:
//     - wake:   submitted through the app's own queue, which wakes this process's worker directly;
//     - notify: submitted by a separate producer (its own queue; on PostgreSQL its own connection pool),
//               so only the NOTIFY written with the task wakes the worker;
//     - poll:   as notify, with the worker's LISTEN switched off: only the 1 s poll finds the task (baseline);
//  2. throughput: BENCH_TASK_COUNT no-op tasks inserted at once, run by one worker with
//     BENCH_TASK_CONCURRENCY slots (the no-op agent allows as many);
//  3. event latency: publish through app.services.events → a WebSocket client of /ws receives it.
// Everything runs through buildApp, so the worker, the event bus and its fan-out are production's.
// On PostgreSQL a profiled run follows: statements per task (by statement) and what backends wait on.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createApiKey } from '../src/accounts/api-key-store.js';
import { defineAgent } from '../src/tasks/agent-definition.js';
import { createAgentRegistry } from '../src/tasks/agent-registry.js';
import { loadConfig } from '../src/config/config.js';
import type { Database } from '../src/db/database.js';
import { openDatabase } from '../src/db/open.js';
import { createInProcessEventBus, type DomainEvent } from '../src/events/bus.js';
import { buildApp } from '../src/server/app.js';
import { createTaskQueue, type TaskQueue } from '../src/tasks/task-queue.js';
import { writeResult } from './support.js';

const SAMPLES = Number(process.env.BENCH_TASK_SAMPLES ?? 200);
const POLL_SAMPLES = Number(process.env.BENCH_TASK_POLL_SAMPLES ?? 30);
const TASK_COUNT = Number(process.env.BENCH_TASK_COUNT ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_TASK_CONCURRENCY ?? 32);
const POOL_SIZE = Number(process.env.BENCH_TASK_POOL_SIZE ?? 10);
const EVENT_SAMPLES = Number(process.env.BENCH_EVENT_SAMPLES ?? 200);
const WARM_UP = 10;
const POLL_INTERVAL_MS = 1000;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function percentiles(samples: readonly number[]) {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { samples: sorted.length, p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), max_ms: round(at(1)) };
}
type Percentiles = ReturnType<typeof percentiles>;

/** Values that arrive by key (a task's start, its success), possibly before anyone waits for them. */
function arrivals<T>() {
  const early = new Map<string, T>();
  const waiting = new Map<string, (value: T) => void>();
  return {
    arrive(key: string, value: T) {
      const waiter = waiting.get(key);
      if (!waiter) return void early.set(key, value);
      waiting.delete(key);
      waiter(value);
    },
    wait(key: string, timeoutMs?: number): Promise<T> {
      if (early.has(key)) {
        const value = early.get(key)!;
        early.delete(key);
        return Promise.resolve(value);
      }
      return new Promise((resolve, reject) => {
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                waiting.delete(key);
                reject(new Error(`${key} did not arrive in ${timeoutMs} ms`));
              }, timeoutMs);
        waiting.set(key, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
    clear: () => early.clear(),
  };
}

/** When each no-op task's handler started (performance.now()). */
const starts = arrivals<number>();
const noopAgent = defineAgent({
  type: 'noop',
  description: 'does nothing (benchmarks)',
  inputSchema: z.object({}).strict(),
  defaultIntervalSeconds: () => 24 * 3600,
  concurrency: CONCURRENCY,
  timeoutSeconds: 60,
  maxAttempts: 1,
  async run(context) {
    starts.arrive(context.task.id, performance.now());
    return {};
  },
});
const registry = () => createAgentRegistry([noopAgent]);

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** The ids of the tasks the bus announces as succeeded, from now on. */
function successes(events: { subscribe(listener: (event: DomainEvent) => void): () => void }) {
  const succeeded = arrivals<true>();
  const stop = events.subscribe((event) => {
    if (event.type === 'task.succeeded') succeeded.arrive((event.data as { task: { id: string } }).task.id, true);
  });
  return { wait: (id: string, timeoutMs?: number) => succeeded.wait(id, timeoutMs), stop };
}

interface Target {
  readonly kind: 'pglite' | 'postgres';
  readonly database: Database;
  /** a second connection pool to the same database (PostgreSQL); PGlite admits one process and instance */
  readonly producerDatabase: Database;
  readonly url: string | undefined;
  cleanup(): Promise<void>;
}

async function openTarget(kind: 'pglite' | 'postgres'): Promise<Target | string> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-tasks-'));
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDirectory: folder, databaseUrl: undefined, databasePoolSize: 2 });
    return {
      kind,
      database,
      producerDatabase: database,
      url: undefined,
      cleanup: async () => {
        await database.close();
        removeFolder();
      },
    };
  }
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    removeFolder();
    return `PostgreSQL at ${base.replace(/\/\/[^/@]*@/, '//***@')} is unreachable (${(error as Error).message})`;
  }
  const name = `lvlup_bench_${randomUUID().replaceAll('-', '')}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    dataDirectory: folder,
    databaseUrl: url.toString(),
    databasePoolSize: POOL_SIZE,
  });
  const producerDatabase = await openDatabase(
    { dataDirectory: folder, databaseUrl: url.toString(), databasePoolSize: 2 },
    { migrate: false },
  );
  return {
    kind,
    database,
    producerDatabase,
    url: url.toString(),
    cleanup: async () => {
      await producerDatabase.close();
      await database.close();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      removeFolder();
    },
  };
}

/** lvlup's app on `database`, as `lvlup serve` builds it, with the no-op agent as its only agent. */
async function startApp(database: Database, worker: { concurrency?: number; pollIntervalMs?: number } = {}) {
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    WORKER_CONCURRENCY: String(worker.concurrency ?? CONCURRENCY),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
  });
  const app = await buildApp({
    config,
    database,
    version: 'bench',
    logStream: discard,
    agents: registry(),
    worker: { pollIntervalMs: worker.pollIntervalMs ?? POLL_INTERVAL_MS },
  });
  await app.ready();
  return app;
}

type Mode = 'wake' | 'notify' | 'poll';

/** Enqueue → handler start, one task at a time on an otherwise idle queue. */
async function pickUp(target: Target, mode: Mode): Promise<Percentiles> {
  // Poll-only: the worker's database does not LISTEN, so neither NOTIFY nor this process can wake it.
  const workerDatabase: Database =
    mode === 'poll' ? { ...target.database, listen: async () => async () => undefined } : target.database;
  const app = await startApp(workerDatabase, { concurrency: 4 });
  try {
    const producer: TaskQueue =
      mode === 'wake'
        ? app.services.tasks
        : createTaskQueue({
            database: target.producerDatabase,
            events: createInProcessEventBus(),
            registry: registry(),
            log: silent,
          });
    const succeeded = successes(app.services.events);
    const count = mode === 'poll' ? POLL_SAMPLES : SAMPLES;
    const warmUp = mode === 'poll' ? 2 : WARM_UP;
    const samples: number[] = [];
    for (let index = 0; index < warmUp + count; index += 1) {
      // Idle between tasks: the last task's follow-up claim round is over. For polling, a random phase
      // against the poll timer, which the previous task's pick-up would otherwise fix.
      await sleep(mode === 'poll' ? Math.random() * POLL_INTERVAL_MS : 20 + Math.random() * 30);
      const submitted = performance.now();
      const { task } = await producer.submit({ agentType: 'noop', input: {}, trigger: 'manual' });
      const started = await starts.wait(task.id, POLL_INTERVAL_MS * 5);
      await succeeded.wait(task.id, 10_000);
      if (index >= warmUp) samples.push(started - submitted);
    }
    succeeded.stop();
    return percentiles(samples);
  } finally {
    await app.close();
  }
}

interface Throughput {
  readonly tasks: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly tasks_per_second: number;
}

/** Inserts `count` no-op tasks while the agent is paused, then resumes it and times until all succeeded. */
async function throughput(database: Database, count = TASK_COUNT): Promise<Throughput> {
  const app = await startApp(database);
  try {
    await database.query(`update agents set status = 'paused' where name = 'noop'`);
    const rows = await database.query<{ id: string }>(
      `insert into tasks (agent_id, agent_type, trigger, input, max_attempts, timeout_seconds)
       select agents.id, agents.type, 'manual', '{}'::jsonb, 1, 60 from agents, generate_series(1, $1)
       where agents.name = 'noop' returning tasks.id`,
      [count],
    );
    const succeeded = successes(app.services.events);
    const done = Promise.all(rows.map((row) => succeeded.wait(row.id)));
    await database.query(`update agents set status = 'idle' where name = 'noop'`);
    const started = performance.now();
    app.services.tasks.wake();
    await done;
    const seconds = (performance.now() - started) / 1000;
    succeeded.stop();
    starts.clear();
    const [left] = await database.query<{ count: number }>(
      `select count(*)::int as count from tasks where status <> 'succeeded' and agent_type = 'noop'`,
    );
    if (left?.count) throw new Error(`${left.count} tasks did not succeed`);
    return {
      tasks: count,
      concurrency: CONCURRENCY,
      seconds: Math.round(seconds * 100) / 100,
      tasks_per_second: Math.round(count / seconds),
    };
  } finally {
    await app.close();
  }
}

/** publish() through the app's bus → a WebSocket client subscribed to the topic receives the event. */
async function eventLatency(target: Target): Promise<Percentiles & { topic: string }> {
  const app = await startApp(target.database);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { secret } = await createApiKey(target.database.orm, {
      name: 'bench',
      scopes: ['admin'],
      createdBy: 'bench',
    });
    const port = (app.server.address() as AddressInfo).port;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${secret}` } });
    type Arrival = { message: Record<string, unknown>; at: number };
    const inbox: Arrival[] = [];
    let waiter: ((arrival: Arrival) => void) | undefined;
    socket.on('message', (raw: Buffer) => {
      const arrival = { message: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, at: performance.now() };
      const waiting = waiter;
      waiter = undefined;
      if (waiting) waiting(arrival);
      else inbox.push(arrival);
    });
    const next = (timeoutMs = 5000) =>
      inbox.length > 0
        ? Promise.resolve(inbox.shift()!)
        : new Promise<Arrival>((resolve, reject) => {
            const timer = setTimeout(() => {
              waiter = undefined;
              reject(new Error('no WebSocket message in time'));
            }, timeoutMs);
            waiter = (arrival) => {
              clearTimeout(timer);
              resolve(arrival);
            };
          });
    await once(socket, 'open');
    if ((await next()).message.type !== 'authenticated') throw new Error('the WebSocket was not authenticated');
    // Task events have a topic of their own once the `tasks` topic exists; proposals' otherwise.
    let topic = 'tasks';
    socket.send(JSON.stringify({ type: 'subscribe', topics: ['tasks'] }));
    if ((await next()).message.type !== 'subscribed') {
      topic = 'proposals';
      socket.send(JSON.stringify({ type: 'subscribe', topics: ['proposals'] }));
      if ((await next()).message.type !== 'subscribed') throw new Error('could not subscribe to proposals');
    }
    const samples: number[] = [];
    for (let index = 0; index < WARM_UP + EVENT_SAMPLES; index += 1) {
      await sleep(5);
      const published = performance.now();
      await app.services.events.publish({
        type: 'bench.ping',
        topic: topic === 'tasks' ? `tasks/${randomUUID()}` : 'proposals',
        data: { sequence: index },
      });
      const { message, at } = await next();
      if ((message.data as { sequence?: number } | undefined)?.sequence !== index) {
        throw new Error(`unexpected message ${JSON.stringify(message)}`);
      }
      if (index >= WARM_UP) samples.push(at - published);
    }
    socket.close();
    return { ...percentiles(samples), topic };
  } finally {
    await app.close();
  }
}

interface StatementProfile {
  readonly statement: string;
  readonly per_task: number;
  readonly mean_ms: number;
}

/** The first line of a statement, with values out: what the profile groups by. */
const shape = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/\$\d+/g, '?')
    .replace(/'[^']*'/g, "'…'")
    .trim()
    .slice(0, 110);

/**
 * A throughput run on PostgreSQL, on a pool of its own opened for it, with every statement counted by
 * shape (the driver's Client.query is wrapped while the pool connects, so its clients run the wrapper)
 * and the pool's backends sampled every 5 ms from another connection: what they were doing.
 */
async function profile(target: Target, count: number) {
  const sampler = new pg.Client({ connectionString: target.url });
  await sampler.connect();
  const statements = new Map<string, { count: number; totalMs: number }>();
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (this === sampler) return original.apply(this, args);
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    const started = performance.now();
    const record = () => {
      const key = shape(text);
      const entry = statements.get(key) ?? { count: 0, totalMs: 0 };
      entry.count += 1;
      entry.totalMs += performance.now() - started;
      statements.set(key, entry);
    };
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      // pool.query() passes a callback
      return original.apply(this, [
        ...args.slice(0, -1),
        (...results: unknown[]) => {
          record();
          (callback as (...values: unknown[]) => void)(...results);
        },
      ]);
    }
    const result = original.apply(this, args);
    if (result instanceof Promise) result.then(record, record);
    return result;
  };
  const since = (await sampler.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
  const database = await openDatabase(
    { dataDirectory: os.tmpdir(), databaseUrl: target.url, databasePoolSize: POOL_SIZE },
    { migrate: false },
  );
  const activity = new Map<string, number>();
  let samples = 0;
  let sampling = true;
  const sampled = (async () => {
    while (sampling) {
      const { rows } = await sampler.query<{ what: string; count: number }>(
        `select state || coalesce(' / ' || wait_event_type || ':' || wait_event, '') as what, count(*)::int as count
         from pg_stat_activity
         where datname = current_database() and application_name = 'lvlup' and backend_start >= $1
         group by 1`,
        [since],
      );
      samples += 1;
      for (const row of rows) activity.set(row.what, (activity.get(row.what) ?? 0) + row.count);
      await sleep(5);
    }
  })();
  let result: Throughput;
  try {
    result = await throughput(database, count);
  } finally {
    sampling = false;
    await sampled;
    await sampler.end();
    await database.close();
    prototype.query = original;
  }
  const perTask = (value: number) => Math.round((value / count) * 100) / 100;
  const total = [...statements.values()].reduce((sum, entry) => sum + entry.count, 0);
  const rows: StatementProfile[] = [...statements.entries()]
    .map(([statement, entry]) => ({
      statement,
      per_task: perTask(entry.count),
      mean_ms: Math.round((entry.totalMs / entry.count) * 1000) / 1000,
    }))
    .filter((row) => row.per_task >= 0.01)
    .sort((left, right) => right.per_task - left.per_task);
  const backends = [...activity.entries()]
    .map(([what, seen]) => ({ what, mean_connections: Math.round((seen / samples) * 100) / 100 }))
    .sort((left, right) => right.mean_connections - left.mean_connections);
  return { throughput: result, statements_per_task: perTask(total), statements: rows, backends };
}

async function measure(kind: 'pglite' | 'postgres') {
  const target = await openTarget(kind);
  if (typeof target === 'string') {
    console.log(`skipping ${kind}: ${target}`);
    return undefined;
  }
  try {
    const pick_up = {
      wake: await pickUp(target, 'wake'),
      notify: await pickUp(target, 'notify'),
      poll: await pickUp(target, 'poll'),
    };
    const run = await throughput(target.database);
    const events = await eventLatency(target);
    const profiled = kind === 'postgres' ? await profile(target, Math.min(TASK_COUNT, 2000)) : undefined;
    return { pick_up, throughput: run, event_latency: events, profile: profiled };
  } finally {
    await target.cleanup();
  }
}

export async function benchTasks() {
  const results = { pglite: await measure('pglite'), postgres: await measure('postgres') };
  const goals: Record<string, string> = {
    'pick-up wake': 'p50 ≤ 50 ms',
    'pick-up notify': 'p50 ≤ 50 ms',
    'pick-up poll': `baseline (poll every ${POLL_INTERVAL_MS} ms)`,
  };
  console.log(
    `\nTask queue: pick-up of one task on an idle queue (${SAMPLES} samples, ${POLL_SAMPLES} polled), ` +
      `${TASK_COUNT} no-op tasks at concurrency ${CONCURRENCY} (pool ${POOL_SIZE}), ${EVENT_SAMPLES} events to a WebSocket`,
  );
  console.table(
    Object.entries(results).flatMap(([database, result]) => {
      if (!result) return [{ database, measure: 'skipped' }];
      return [
        ...Object.entries(result.pick_up).map(([mode, figures]) => ({
          database,
          measure: `pick-up ${mode}`,
          'p50 ms': figures.p50_ms,
          'p99 ms': figures.p99_ms,
          'jobs/s': '',
          goal: goals[`pick-up ${mode}`],
        })),
        {
          database,
          measure: 'throughput (no-op)',
          'p50 ms': '',
          'p99 ms': '',
          'jobs/s': result.throughput.tasks_per_second,
          goal: database === 'postgres' ? '≥ 300 jobs/s' : '',
        },
        {
          database,
          measure: `event → WebSocket (${result.event_latency.topic})`,
          'p50 ms': result.event_latency.p50_ms,
          'p99 ms': result.event_latency.p99_ms,
          'jobs/s': '',
          goal: '',
        },
      ];
    }),
  );
  const profiled = results.postgres?.profile;
  if (profiled) {
    console.log(
      `\nPostgreSQL profile: ${profiled.throughput.tasks} tasks at ${profiled.throughput.tasks_per_second} jobs/s ` +
        `(instrumented), ${profiled.statements_per_task} statements per task`,
    );
    console.table(profiled.statements.slice(0, 25));
    console.log('backends of the app (mean count per 5 ms sample), by what they wait on:');
    console.table(profiled.backends.slice(0, 12));
  }
  console.log(
    `written to ${writeResult('tasks', {
      samples: SAMPLES,
      poll_samples: POLL_SAMPLES,
      tasks: TASK_COUNT,
      concurrency: CONCURRENCY,
      pool_size: POOL_SIZE,
      goals: { pick_up_p50_ms: 50, postgres_jobs_per_second: 300 },
      ...results,
    })}`,
  );
}
