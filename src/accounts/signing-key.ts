import { randomBytes } from 'node:crypto';
import type { Orm } from '../db/database.js';
import { ensureSetting } from '../settings/setting-store.js';

/**
 * The key access tokens are signed with: SECRET_KEY when set, otherwise one generated on first start and
 * kept in the database, so that every process sharing the database verifies the others' tokens and
 * tokens survive a restart.
 */
export async function resolveSigningKey(orm: Orm, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const key = await ensureSetting(orm, 'jwt_signing_key', () => randomBytes(48).toString('base64url'));
  return new TextEncoder().encode(key);
}
