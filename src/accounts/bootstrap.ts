import type { Database } from '../db/database.js';
import { takeTransactionLock } from '../db/transaction-lock.js';
import { countApiKeys, createApiKey, findApiKeyIdByHash } from './api-key-store.js';
import { hashSecret } from './secrets.js';
import { countUsers } from './user-store.js';

const BOOTSTRAP_LOCK_ID = 7_413_360_220;

export type BootstrapOutcome =
  { kind: 'created'; secret: string; keyId: string } | { kind: 'configured'; keyId: string } | { kind: 'none' };

/**
 * Makes sure a new installation can be called at once. With LVLUP_ADMIN_API_KEY set, that key is
 * registered (once) as an admin key. Otherwise, on a database with no users and no keys, an admin key is
 * generated and returned so the caller can print it once; it is never stored in clear. The check and the
 * insert run under an advisory lock, so processes starting together create at most one key.
 */
export async function bootstrapAdminAccess(
  database: Database,
  configuredKey: string | undefined,
): Promise<BootstrapOutcome> {
  return database.orm.transaction(async (transaction) => {
    await takeTransactionLock(transaction, BOOTSTRAP_LOCK_ID);
    if (configuredKey) {
      const existing = await findApiKeyIdByHash(transaction, hashSecret(configuredKey));
      if (existing) return { kind: 'configured', keyId: existing };
      const { key } = await createApiKey(transaction, {
        name: 'admin (LVLUP_ADMIN_API_KEY)',
        scopes: ['admin'],
        createdBy: 'system',
        secret: configuredKey,
      });
      return { kind: 'configured', keyId: key.id };
    }
    if ((await countUsers(transaction)) > 0 || (await countApiKeys(transaction)) > 0) return { kind: 'none' };
    const { key, secret } = await createApiKey(transaction, {
      name: 'bootstrap admin',
      scopes: ['admin'],
      createdBy: 'system',
    });
    return { kind: 'created', secret, keyId: key.id };
  });
}
