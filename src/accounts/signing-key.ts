import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { settings } from '../db/schema.js';

/**
 * The key access tokens are signed with: SECRET_KEY when set, otherwise one generated on first start and
 * kept in the database, so that every process sharing the database verifies the others' tokens and
 * tokens survive a restart.
 */
export async function resolveSigningKey(orm: Orm, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  await orm
    .insert(settings)
    .values({ key: 'jwt_signing_key', value: randomBytes(48).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await orm.select().from(settings).where(eq(settings.key, 'jwt_signing_key'));
  if (!row) throw new Error('jwt_signing_key setting missing after insert');
  return new TextEncoder().encode(row.value);
}
