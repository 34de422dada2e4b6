import { asc, count, eq, or, sql } from 'drizzle-orm';
import type { Database, Orm } from '../db/database.js';
import { repositories } from '../db/schema.js';
import type { RepositoryPolicyPatch } from './policy.js';

export type Repository = typeof repositories.$inferSelect;
export type NewRepository = typeof repositories.$inferInsert;

// Serialises "is this repository registered already?" with the insert that follows it.
const REGISTRATION_LOCK_ID = 7_413_360_301;

/**
 * Stores a repository unless one with the same folder or clone URL exists, in which case that one is
 * answered instead. The check and the insert hold one advisory lock, so of two racing registrations of
 * the same source exactly one is stored.
 */
export async function insertRepository(
  database: Database,
  values: NewRepository,
): Promise<{ created: Repository } | { existing: Repository }> {
  return database.orm.transaction(async (transaction) => {
    await transaction.execute(sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK_ID})`);
    const existing = await findRepositoryBySource(transaction, values);
    if (existing) return { existing };
    const [created] = await transaction.insert(repositories).values(values).returning();
    return { created: created! };
  });
}

export async function findRepositoryBySource(
  orm: Orm,
  source: { path?: string | undefined; cloneUrl?: string | null | undefined },
): Promise<Repository | undefined> {
  const conditions = [
    ...(source.path ? [eq(repositories.path, source.path)] : []),
    ...(source.cloneUrl ? [eq(repositories.cloneUrl, source.cloneUrl)] : []),
  ];
  if (conditions.length === 0) return undefined;
  const [existing] = await orm
    .select()
    .from(repositories)
    .where(or(...conditions))
    .limit(1);
  return existing;
}

export async function findRepository(orm: Orm, id: string): Promise<Repository | undefined> {
  const [repository] = await orm.select().from(repositories).where(eq(repositories.id, id));
  return repository;
}

/** Every registered repository, oldest first. */
export async function listAllRepositories(orm: Orm): Promise<Repository[]> {
  return orm.select().from(repositories).orderBy(asc(repositories.createdAt));
}

export async function listRepositories(orm: Orm, page: { limit: number; skip: number }) {
  const [rows, [total]] = await Promise.all([
    orm
      .select()
      .from(repositories)
      .orderBy(asc(repositories.createdAt), asc(repositories.id))
      .limit(page.limit)
      .offset(page.skip),
    orm.select({ total: count() }).from(repositories),
  ]);
  return { rows, total: total?.total ?? 0 };
}

export interface RepositoryChanges {
  readonly name?: string | undefined;
  readonly defaultBranch?: string | undefined;
  readonly headCommit?: string | null | undefined;
  readonly checkCommands?: string[] | undefined;
  readonly policy?: RepositoryPolicyPatch | undefined;
}

/**
 * Updates the given fields. A policy change is merged into the stored policy by the database (jsonb `||`),
 * so two concurrent changes to different policy fields both survive.
 */
export async function updateRepository(
  orm: Orm,
  id: string,
  changes: RepositoryChanges,
  now: Date,
): Promise<Repository | undefined> {
  const [updated] = await orm
    .update(repositories)
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.defaultBranch !== undefined ? { defaultBranch: changes.defaultBranch } : {}),
      ...(changes.headCommit !== undefined ? { headCommit: changes.headCommit } : {}),
      ...(changes.checkCommands !== undefined ? { checkCommands: changes.checkCommands } : {}),
      ...(changes.policy !== undefined
        ? { policy: sql`${repositories.policy} || ${JSON.stringify(changes.policy)}::jsonb` }
        : {}),
      updatedAt: now,
    })
    .where(eq(repositories.id, id))
    .returning();
  return updated;
}

export async function recordSync(
  orm: Orm,
  id: string,
  headCommit: string | null,
  now: Date,
): Promise<Repository | undefined> {
  const [updated] = await orm
    .update(repositories)
    .set({ headCommit, lastSyncedAt: now })
    .where(eq(repositories.id, id))
    .returning();
  return updated;
}

/** Deletes the row; the repository's proposals go with it (foreign key cascade). */
export async function deleteRepository(orm: Orm, id: string): Promise<Repository | undefined> {
  const [deleted] = await orm.delete(repositories).where(eq(repositories.id, id)).returning();
  return deleted;
}
