import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Database, Schema } from './database.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant works as long as every lvlup process uses the same one.
const MIGRATION_LOCK_ID = 7_413_360_218;

/**
 * Applies the committed SQL migrations in order. Several processes starting together against one
 * PostgreSQL server would otherwise race to create the same tables; a session-level advisory lock makes
 * them take turns, and each later one finds the work already recorded in drizzle's journal table.
 */
export async function migrate(database: Database): Promise<void> {
  await database.withSession(async (query) => {
    await query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      if (database.kind === 'pglite') {
        await migratePglite(database.orm as unknown as PgliteDatabase<Schema>, { migrationsFolder });
      } else {
        await migratePostgres(database.orm as unknown as NodePgDatabase<Schema>, { migrationsFolder });
      }
    } finally {
      await query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  });
}
