import { and, count, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { apiKeys, users } from '../db/schema.js';
import type { Principal } from './principal.js';
import { ROLE_SCOPES, type Scope, SCOPES } from './roles.js';
import { generateSecret, hashSecret } from './secrets.js';

export const API_KEY_PREFIX = 'lvl_';
export type ApiKey = typeof apiKeys.$inferSelect;

export async function createApiKey(
  orm: Orm,
  input: {
    name: string;
    scopes: readonly Scope[];
    userId?: string | undefined;
    createdBy: string;
    expiresAt?: Date | undefined;
    secret?: string | undefined;
  },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = input.secret ?? generateSecret(API_KEY_PREFIX);
  const [key] = await orm
    .insert(apiKeys)
    .values({
      name: input.name,
      prefix: secret.slice(0, 12),
      keyHash: hashSecret(secret),
      scopes: [...new Set(input.scopes)],
      userId: input.userId,
      createdBy: input.createdBy,
      expiresAt: input.expiresAt,
    })
    .returning();
  if (!key) throw new Error('insert returned no row');
  return { key, secret };
}

export async function listApiKeys(orm: Orm, filter: { userId?: string | undefined; limit: number; skip: number }) {
  const where = filter.userId ? eq(apiKeys.userId, filter.userId) : undefined;
  const [rows, [total]] = await Promise.all([
    orm
      .select()
      .from(apiKeys)
      .where(where)
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(filter.limit)
      .offset(filter.skip),
    orm.select({ total: count() }).from(apiKeys).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}

/** The id of the key whose secret hashes to `keyHash`, if there is one (revoked or not). */
export async function findApiKeyIdByHash(orm: Orm, keyHash: string): Promise<string | undefined> {
  const [key] = await orm.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
  return key?.id;
}

export async function countApiKeys(orm: Orm): Promise<number> {
  const [row] = await orm.select({ total: count() }).from(apiKeys);
  return row?.total ?? 0;
}

export async function findApiKey(orm: Orm, id: string): Promise<ApiKey | undefined> {
  const [key] = await orm.select().from(apiKeys).where(eq(apiKeys.id, id));
  return key;
}

/** Marks a key revoked; answers false when it was already revoked or does not exist. */
export async function revokeApiKey(orm: Orm, id: string): Promise<boolean> {
  const revoked = await orm
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return revoked.length === 1;
}

function prepareKeyLookup(orm: Orm) {
  return orm
    .select({ key: apiKeys, ownerRole: users.role, ownerDisabledAt: users.disabledAt, ownerEmail: users.email })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, sql.placeholder('hash')))
    .prepare('lvlup_api_key_by_hash');
}

// Every authenticated request runs this lookup: prepared once per database handle, it skips building the
// SQL each time and, on PostgreSQL, parsing and planning it on each connection.
const keyLookups = new WeakMap<Orm, ReturnType<typeof prepareKeyLookup>>();
function keyLookup(orm: Orm) {
  let lookup = keyLookups.get(orm);
  if (!lookup) {
    lookup = prepareKeyLookup(orm);
    keyLookups.set(orm, lookup);
  }
  return lookup;
}

/**
 * Resolves a presented secret to a principal, or undefined when it is unknown, revoked, expired, or its
 * owner is disabled. The scopes in force are the key's scopes cut down to what its owner's role allows
 * today, so demoting a user also demotes their keys.
 */
export async function authenticateApiKey(orm: Orm, secret: string, now: Date): Promise<Principal | undefined> {
  const [row] = await keyLookup(orm).execute({ hash: hashSecret(secret) });
  if (!row || row.key.revokedAt || (row.key.expiresAt && row.key.expiresAt <= now)) return undefined;
  if (row.key.userId && (!row.ownerRole || row.ownerDisabledAt)) return undefined;
  const allowed = row.ownerRole ? new Set<Scope>(ROLE_SCOPES[row.ownerRole]) : new Set<Scope>(SCOPES);
  const scopes = new Set((row.key.scopes as Scope[]).filter((scope) => allowed.has(scope) || allowed.has('admin')));
  return {
    type: 'api_key',
    id: row.key.id,
    label: `api key ${row.key.name} (${row.key.prefix}…)${row.ownerEmail ? ` of ${row.ownerEmail}` : ''}`,
    userId: row.key.userId ?? undefined,
    role: row.ownerRole ?? undefined,
    scopes,
  };
}

/** Records use at most once a minute per key, so authentication stays a read on the hot path. */
export async function touchApiKey(orm: Orm, id: string, now: Date): Promise<void> {
  await orm
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`${now.toISOString()}::timestamptz - interval '1 minute'`),
        ),
      ),
    );
}
