import { openDatabase } from '../db/open.js';
import type { Database } from '../db/database.js';
import type { CliContext } from './cli-context.js';

export async function withDatabase<T>(context: CliContext, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(context.config());
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
