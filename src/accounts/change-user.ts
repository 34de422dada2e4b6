import type { Orm } from '../db/database.js';
import type { Revocations } from './revocations.js';
import type { Role } from './roles.js';
import { revokeUserTokens } from './tokens.js';
import { updateUser, type User } from './user-store.js';

/**
 * Changes a user's role or name, or disables them; undefined when there is no such user. A disabled
 * user's sign-ins end now, not when they would be re-enabled: their streams close, and their access tokens
 * stay refused should they be enabled again.
 */
export async function changeUser(
  dependencies: { readonly orm: Orm; readonly revocations: Pick<Revocations, 'announce'>; readonly now: () => Date },
  id: string,
  changes: { role?: Role | undefined; displayName?: string | undefined; disabled?: boolean | undefined },
): Promise<User | undefined> {
  const { orm, revocations } = dependencies;
  const updated = await updateUser(orm, id, changes);
  if (!updated) return undefined;
  if (changes.disabled) {
    const sessionIds = await revokeUserTokens(orm, updated.id, dependencies.now());
    await revocations.announce({ userId: updated.id, sessionIds });
  }
  return updated;
}
