import type { Orm } from '../db/database.js';
import { AccountRefusedError } from './account-refused-error.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, type ApiKey } from './api-key-store.js';
import type { Principal } from './principal.js';
import type { Revocations } from './revocations.js';
import { grants, type Scope } from './roles.js';

const isAdmin = (principal: Principal) => principal.scopes.has('admin');

/**
 * Keys are managed by their owner or an admin; an ownerless non-admin key would create keys that nobody but
 * an admin could see or revoke, so it may not manage keys at all.
 */
function ownerOrAdmin(principal: Principal) {
  if (!isAdmin(principal) && !principal.userId) {
    throw new AccountRefusedError(
      'forbidden',
      'Only a user, or a key that belongs to one, or an admin can manage API keys.',
    );
  }
}

/** The caller's API keys (every one for an admin), a page of them with the total. */
export async function visibleApiKeys(orm: Orm, principal: Principal, page: { limit: number; skip: number }) {
  ownerOrAdmin(principal);
  return listApiKeys(orm, { userId: isAdmin(principal) ? undefined : principal.userId, ...page });
}

/** A key the caller may see; someone else's is reported as missing, not forbidden, so ids cannot be probed. */
export async function visibleApiKey(orm: Orm, principal: Principal, id: string): Promise<ApiKey> {
  ownerOrAdmin(principal);
  const key = await findApiKey(orm, id);
  if (!key || (!isAdmin(principal) && key.userId !== principal.userId)) {
    throw new AccountRefusedError('not_found', `No API key ${id}`);
  }
  return key;
}

/**
 * Creates an API key for the caller (belonging to its user, if any) with at most the scopes it holds and an
 * expiry in the future; the secret is returned here only.
 */
export async function createOwnApiKey(
  orm: Orm,
  principal: Principal,
  order: { readonly name: string; readonly scopes: readonly Scope[]; readonly expiresAt?: Date | undefined },
  now: () => Date,
): Promise<{ key: ApiKey; secret: string }> {
  ownerOrAdmin(principal);
  const excess = order.scopes.filter((scope) => !grants(principal.scopes, scope));
  if (excess.length > 0) {
    throw new AccountRefusedError('forbidden', `You cannot grant scopes you do not hold: ${excess.join(', ')}.`);
  }
  if (order.expiresAt && order.expiresAt <= now()) {
    throw new AccountRefusedError(
      'bad_request',
      'expires_at must be in the future',
      {},
      {
        name: 'expires_at',
        message: 'must be in the future',
      },
    );
  }
  return createApiKey(orm, {
    name: order.name,
    scopes: order.scopes,
    userId: principal.userId,
    createdBy: principal.label,
    expiresAt: order.expiresAt,
  });
}

/**
 * Revokes a key the caller may see. Requests with it already fail (it is looked up each time); its open
 * streams close now, in every process. A revoked key is 409 `already_revoked`.
 */
export async function revokeVisibleApiKey(
  dependencies: { readonly orm: Orm; readonly revocations: Pick<Revocations, 'announce'> },
  principal: Principal,
  id: string,
): Promise<ApiKey> {
  const { orm, revocations } = dependencies;
  const key = await visibleApiKey(orm, principal, id);
  if (!(await revokeApiKey(orm, key.id))) {
    throw new AccountRefusedError('already_revoked', `API key ${key.id} is already revoked`);
  }
  await revocations.announce({ apiKeyId: key.id });
  return (await findApiKey(orm, key.id))!;
}
