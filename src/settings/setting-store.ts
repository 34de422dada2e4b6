import { eq } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { settings } from '../db/schema.js';

/**
 * The value stored under `key`, storing `initial` first when there is none. Of processes racing to set it,
 * the first insert wins and every one of them answers that value.
 */
export async function ensureSetting(orm: Orm, key: string, initial: () => string): Promise<string> {
  await orm.insert(settings).values({ key, value: initial() }).onConflictDoNothing();
  const [row] = await orm.select().from(settings).where(eq(settings.key, key));
  if (!row) throw new Error(`${key} setting missing after insert`);
  return row.value;
}
