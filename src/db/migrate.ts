import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Database, Schema } from './database.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant works as long as every lvlup process uses the same one.
const MIGRATION_LOCK_ID = 7_413_360_218;

/** One committed migration, as drizzle's migrator identifies it: the hash of its SQL and its journal time. */
export interface Migration {
  readonly tag: string;
  readonly hash: string;
  /** the journal's `when`, which drizzle records as `created_at` and compares to decide what is pending */
  readonly createdAt: number;
}

interface Journal {
  entries: { idx: number; tag: string; when: number; version: string; breakpoints: boolean }[];
}

function readJournal(folder: string): Journal {
  return JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** The committed migrations, in order. */
export function committedMigrations(folder = migrationsFolder): Migration[] {
  return readJournal(folder).entries.map((entry) => ({
    tag: entry.tag,
    hash: createHash('sha256')
      .update(readFileSync(path.join(folder, `${entry.tag}.sql`), 'utf8'))
      .digest('hex'),
    createdAt: entry.when,
  }));
}

/** What drizzle's journal table in the database says was applied, in order; empty on a fresh database. */
export async function appliedMigrations(database: Database): Promise<{ hash: string; createdAt: number }[]> {
  const [table] = await database.query<{ present: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  );
  if (!table?.present) return [];
  const rows = await database.query<{ hash: string; created_at: string }>(
    'select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id',
  );
  return rows.map((row) => ({ hash: row.hash, createdAt: Number(row.created_at) }));
}

/**
 * Applies the committed SQL migrations in order: all of them, or only the first `upTo` (a restore
 * rebuilds the schema a backup was taken at before loading its rows, then migrates the rest).
 *
 * Several processes starting together against one PostgreSQL server would otherwise race to create the
 * same tables; a session-level advisory lock makes them take turns, and each later one finds the work
 * already recorded in drizzle's journal table.
 */
export async function migrate(database: Database, options: { upTo?: number } = {}): Promise<void> {
  let folder = migrationsFolder;
  let temporary: string | undefined;
  if (options.upTo !== undefined) {
    // drizzle's migrator reads a folder, so the first `upTo` migrations get one of their own.
    temporary = mkdtempSync(path.join(os.tmpdir(), 'lvlup-migrations-'));
    folder = temporary;
    const journal = readJournal(migrationsFolder);
    const entries = journal.entries.slice(0, options.upTo);
    mkdirSync(path.join(folder, 'meta'));
    writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    for (const entry of entries)
      copyFileSync(path.join(migrationsFolder, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  }
  try {
    await database.withSession(async (query) => {
      await query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      try {
        if (database.kind === 'pglite') {
          await migratePglite(database.orm as unknown as PgliteDatabase<Schema>, { migrationsFolder: folder });
        } else {
          await migratePostgres(database.orm as unknown as NodePgDatabase<Schema>, { migrationsFolder: folder });
        }
      } finally {
        await query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
      }
    });
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}
