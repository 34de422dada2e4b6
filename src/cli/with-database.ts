import type { Database } from '../db/database.js';
import type { CliContext } from './cli-context.js';

export async function withDatabase<T>(context: CliContext, work: (database: Database) => Promise<T>): Promise<T> {
  // Loaded on use: `lvlup --help` never opens a database, and drizzle, PGlite and pg take a while to load.
  const { openDatabase } = await import('../db/open.js');
  const database = await openDatabase(context.config());
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
