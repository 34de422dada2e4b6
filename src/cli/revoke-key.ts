import { revokeApiKey } from '../accounts/api-key-store.js';
import { recordAudit } from '../audit/audit-store.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { announceRevocation } from './announce-revocation.js';

/**
 * `lvlup keys revoke`: revokes the key in the database, records it in the audit log and announces it, so
 * servers end the key's open streams at once. False when there is no active key of that id.
 */
export async function revokeKeyFromCommandLine(
  database: Database,
  config: Config,
  id: string,
  warn: (message: string) => void,
): Promise<boolean> {
  if (!(await revokeApiKey(database.orm, id))) return false;
  await recordAudit(database.orm, { actorType: 'cli', action: 'keys revoke', target: id });
  await announceRevocation(database, config, { apiKeyId: id }, (error) =>
    warn(
      `could not tell the servers (${error instanceof Error ? error.message : String(error)}); ` +
        `they end the key's open streams within REVOCATION_RESYNC_SECONDS (${config.revocationResyncSeconds} s)`,
    ),
  );
  return true;
}
