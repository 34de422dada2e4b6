import type { GeneratedFiles } from '../generated-files.js';

// src/database.ts of the generated app: one small interface over PostgreSQL, whether a server
// (DATABASE_URL, through node-postgres) or embedded (PGlite, in DATA_DIR or in memory).

const DATABASE = `import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

// PostgreSQL, as the routes use it: a server when DATABASE_URL is set, otherwise an embedded PostgreSQL
// (PGlite) that keeps its data in DATA_DIR, or only in memory when DATA_DIR is unset too.

export interface Queryable {
  /** One statement with $1, $2… parameters; the rows it returns. */
  query<Row>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Several statements at once, without parameters (a migration). */
  execute(script: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs the work in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<Result>(work: (transaction: Queryable) => Promise<Result>): Promise<Result>;
  close(): Promise<void>;
}

export interface DatabaseSettings {
  DATABASE_URL?: string | undefined;
  DATA_DIR?: string | undefined;
}

export async function openDatabase(settings: DatabaseSettings = process.env): Promise<Database> {
  if (settings.DATABASE_URL) return serverDatabase(new pg.Pool({ connectionString: settings.DATABASE_URL }));
  return embeddedDatabase(settings.DATA_DIR ? await PGlite.create(settings.DATA_DIR) : await PGlite.create());
}

function serverQueryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: async <Row>(text: string, values?: readonly unknown[]) =>
      (await client.query(text, values ? [...values] : undefined)).rows as Row[],
    execute: async (script) => {
      await client.query(script);
    },
  };
}

export function serverDatabase(pool: pg.Pool): Database {
  // An idle connection that the server drops is replaced on the next query; without a listener the
  // pool's error event would end the process.
  pool.on('error', (error) => console.error('database connection lost:', error.message));
  return {
    ...serverQueryable(pool),
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(serverQueryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

type PGliteTransaction = Parameters<Parameters<PGlite['transaction']>[0]>[0];

function embeddedQueryable(target: PGlite | PGliteTransaction): Queryable {
  return {
    query: async <Row>(text: string, values?: readonly unknown[]) =>
      (await target.query<Row>(text, values ? [...values] : undefined)).rows,
    execute: async (script) => {
      await target.exec(script);
    },
  };
}

export function embeddedDatabase(client: PGlite): Database {
  return {
    ...embeddedQueryable(client),
    transaction: (work) => client.transaction((transaction) => work(embeddedQueryable(transaction))),
    close: () => client.close(),
  };
}
`;

export function databaseFiles(): GeneratedFiles {
  return { 'src/database.ts': DATABASE };
}
