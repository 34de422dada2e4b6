import { createHash, randomUUID } from 'node:crypto';
import { existsSync, openAsBlob, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database } from '../../src/db/database.js';
import { migrate, migrationsFolder } from '../../src/db/migrate.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';

export type DatabaseTarget = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function databaseTargets(): DatabaseTarget[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(readFileSync(path.join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Creating a PGlite cluster runs initdb (several seconds); loading a dump of an already migrated one takes
 * well under one. The dump is made once per migration set and shared by test processes through a file.
 */
async function pgliteTemplate(): Promise<string> {
  const file = path.join(os.tmpdir(), `lvlup-test-template-${migrationsFingerprint()}.tar`);
  if (!existsSync(file)) {
    const database = await openPglite(undefined);
    await migrate(database);
    const client = (database as unknown as { orm: { $client: PGlite } }).orm.$client;
    const dump = await client.dumpDataDir('none');
    const temporary = `${file}.${randomUUID()}`;
    writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
    renameSync(temporary, file);
    await database.close();
  }
  return file;
}

export interface TestDatabase {
  readonly database: Database;
  /** set for PostgreSQL: a URL other processes can use */
  readonly url: string | undefined;
  cleanup(): Promise<void>;
}

/** A fresh, migrated, empty database of the given kind. */
export async function createTestDatabase(target: DatabaseTarget): Promise<TestDatabase> {
  if (target === 'pglite') {
    const database = await openPglite(undefined, { loadDataDir: await openAsBlob(await pgliteTemplate()) });
    await migrate(database);
    return { database, url: undefined, cleanup: () => database.close() };
  }
  const url = await createPostgresDatabase(await postgresTemplate());
  const database = await openPostgres(url, 5);
  await migrate(database);
  return {
    database,
    url,
    cleanup: async () => {
      await database.close();
      await dropPostgresDatabase(url);
    },
  };
}

/**
 * An empty database on the TEST_DATABASE_URL server, for tests that start their own processes; a copy of
 * `template` when one is named.
 */
export async function createPostgresDatabase(template?: string): Promise<string> {
  const name = `lvlup_test_${randomUUID().replaceAll('-', '')}`;
  await administer((admin) => admin.query(`create database ${name}${template ? ` template ${template}` : ''}`));
  return postgresUrl(name);
}

function postgresUrl(name: string): string {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function administer<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

let template: Promise<string> | undefined;

/**
 * Creating a database and running every migration in it takes the server about a second; copying a
 * migrated one takes a tenth of that. The template is made once per migration set, under a name that holds
 * the set's fingerprint, and shared by every test process on the server. It is migrated under another name
 * and renamed when done, so no process copies a half-migrated one: when two make it at once, one rename
 * wins and the other drops its copy. Nobody may connect to it, since PostgreSQL copies no database that
 * has sessions.
 */
function postgresTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `lvlup_template_${migrationsFingerprint()}`;
    const exists = await administer(
      async (admin) => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1,
    );
    if (exists) return name;
    const url = await createPostgresDatabase();
    // two connections: migrate holds one for its advisory lock while the migrator uses the other
    const database = await openPostgres(url, 2);
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    const migrated = new URL(url).pathname.slice(1);
    await administer(async (admin) => {
      await admin.query(`alter database ${migrated} with allow_connections false is_template true`);
      try {
        await admin.query(`alter database ${migrated} rename to ${name}`);
      } catch (error) {
        if ((error as { code?: string }).code !== '42P04') throw error; // duplicate_database: another won
        await admin.query(`alter database ${migrated} with is_template false`);
        await admin.query(`drop database ${migrated}`);
      }
    });
    return name;
  })();
  return template;
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await administer((admin) => admin.query(`drop database if exists ${name} with (force)`));
}
