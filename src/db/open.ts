import path from 'node:path';
import type { Config } from '../config/config.js';
import { lockDataDirectory } from './data-directory-lock.js';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/**
 * Opens the configured database and brings its schema up to date: PostgreSQL when DATABASE_URL is set,
 * otherwise the embedded PGlite in `<data dir>/pgdata`, guarded by the data-folder lock.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDirectory'>,
  options: { migrate?: boolean } = {},
): Promise<Database> {
  let database: Database;
  if (config.databaseUrl) {
    database = await openPostgres(config.databaseUrl, config.databasePoolSize);
  } else {
    const lock = lockDataDirectory(config.dataDirectory);
    try {
      const pglite = await openPglite(path.join(config.dataDirectory, 'pgdata'));
      database = {
        ...pglite,
        close: async () => {
          try {
            await pglite.close();
          } finally {
            lock.release();
          }
        },
      };
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  if (options.migrate !== false) {
    try {
      await migrate(database);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}
