import { sql } from 'drizzle-orm';
import type { Orm } from './database.js';

/**
 * Takes a PostgreSQL advisory lock held until the transaction ends: `lock` is the lock's number, or a name
 * whose `hashtext` is. Other transactions taking the same lock wait for this one to commit or roll back.
 */
export async function takeTransactionLock(transaction: Orm, lock: number | string): Promise<void> {
  await transaction.execute(
    typeof lock === 'number'
      ? sql`select pg_advisory_xact_lock(${lock})`
      : sql`select pg_advisory_xact_lock(hashtext(${lock}))`,
  );
}
