import type { GeneratedFiles } from '../generated-files.js';

// The migrations of the generated app: db/migrations/0001_init.sql (the SQL of stage 4) and the runner,
// src/migrations.ts, that applies at start whichever files the database has not seen yet.

const MIGRATIONS = `import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './database.js';
import { APP_ROOT } from './paths.js';

// Applies the SQL files of db/migrations in name order, each once: the names applied are kept in the
// schema_migrations table. All pending files run in one transaction, so a failed start changes nothing.

export const MIGRATIONS_FOLDER = join(APP_ROOT, 'db', 'migrations');

/** Any number: two servers starting on one database take this lock in turn, so each file runs once. */
const MIGRATION_LOCK = 727_001;

/** The migrations this call applied (none when the database was up to date). */
export async function migrate(database: Database): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_FOLDER)).filter((file) => file.endsWith('.sql')).toSorted();
  return database.transaction(async (transaction) => {
    await transaction.query(\`SELECT pg_advisory_xact_lock(\${MIGRATION_LOCK})\`);
    await transaction.execute(
      \`CREATE TABLE IF NOT EXISTS "schema_migrations" (
        "name" text PRIMARY KEY,
        "applied_at" timestamptz NOT NULL DEFAULT now()
      )\`,
    );
    const applied = await transaction.query<{ name: string }>('SELECT "name" FROM "schema_migrations"');
    const pending = files.filter((file) => !applied.some((row) => row.name === file));
    for (const file of pending) {
      await transaction.execute(await readFile(join(MIGRATIONS_FOLDER, file), 'utf8'));
      await transaction.query('INSERT INTO "schema_migrations" ("name") VALUES ($1)', [file]);
    }
    return pending;
  });
}
`;

const PATHS = `import { fileURLToPath } from 'node:url';

/** The folder holding package.json, openapi.json and db/, whether this runs from src/ or dist/. */
export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
`;

export const INITIAL_MIGRATION = 'db/migrations/0001_init.sql';

export function migrationFiles(sql: string): GeneratedFiles {
  return {
    [INITIAL_MIGRATION]: sql,
    'src/migrations.ts': MIGRATIONS,
    'src/paths.ts': PATHS,
  };
}
