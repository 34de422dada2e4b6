import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { observed, operationOf, type Database, type QueryObserver } from './database.js';
import { createNotificationListener } from './notification-listener.js';
import * as schema from './schema.js';

const instrumentedClients = new WeakSet<pg.PoolClient>();

export async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'lvlup' });
  let observer: QueryObserver | undefined;
  const getObserver = () => observer;

  // Every statement, pooled or inside a transaction, runs through some PoolClient's query(); wrapping
  // each client once as the pool creates it times them all without counting pool.query twice.
  // pool.query() passes a callback to client.query(), transactions await it: both forms are timed.
  pool.on('connect', (client) => {
    if (instrumentedClients.has(client)) return;
    instrumentedClients.add(client);
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
      const callback = args.at(-1);
      if (typeof callback !== 'function') {
        return observed(getObserver, text, () => original(...args) as Promise<unknown>);
      }
      const observer = getObserver();
      if (!observer) return original(...args);
      const started = process.hrtime.bigint();
      return original(...args.slice(0, -1), (error: unknown, result: unknown) => {
        const durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        observer({ operation: operationOf(text), durationSeconds, failed: Boolean(error) });
        (callback as (error: unknown, result: unknown) => void)(error, result);
      });
    };
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node would
  // crash the process. The next checkout opens a fresh connection, so logging is left to the probes.
  pool.on('error', () => undefined);

  await pool.query('select 1');
  const orm = drizzle({ client: pool, schema });
  const query: Database['query'] = async <Row>(text: string, parameters: unknown[] = []) =>
    (await pool.query(text, parameters)).rows as Row[];

  const notifications = createNotificationListener(url);

  return {
    kind: 'postgres',
    orm,
    query,
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work(
          async <Row>(text: string, parameters: unknown[] = []) => (await client.query(text, parameters)).rows as Row[],
        );
      } finally {
        client.release();
      }
    },
    observeQueries(next) {
      observer = next;
    },
    listen: (channel, onMessage) => notifications.listen(channel, onMessage),
    async close() {
      await notifications.close();
      await pool.end();
    },
  };
}
