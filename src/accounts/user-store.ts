import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Orm } from '../db/database.js';
import { users } from '../db/schema.js';
import { hashPassword } from './passwords.js';
import type { Role } from './roles.js';

export type User = typeof users.$inferSelect;

export class EmailTakenError extends Error {
  readonly code = 'email_taken';
  constructor(email: string) {
    super(`A user with email ${email} already exists`);
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function countUsers(orm: Orm): Promise<number> {
  const [row] = await orm.select({ total: count() }).from(users);
  return row?.total ?? 0;
}

export async function createUser(
  orm: Orm,
  input: { email: string; password: string; role: Role; displayName?: string | undefined },
): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const [created] = await orm
    .insert(users)
    .values({ email: normaliseEmail(input.email), passwordHash, role: input.role, displayName: input.displayName })
    .onConflictDoNothing()
    .returning();
  if (!created) throw new EmailTakenError(normaliseEmail(input.email));
  return created;
}

// Serialises "is this the first user?" so two simultaneous registrations cannot both become admin.
const FIRST_USER_LOCK_ID = 7_413_360_219;

/**
 * Registers a user; the very first one becomes admin whatever role was asked for. The count and the insert
 * run in one transaction under an advisory lock, so exactly one of two racing first registrations wins it.
 */
export async function registerUser(
  database: Database,
  input: { email: string; password: string; role: Role; displayName?: string | undefined },
  mayRegister: (isFirst: boolean) => void,
): Promise<User> {
  return database.orm.transaction(async (transaction) => {
    await transaction.execute(sql`select pg_advisory_xact_lock(${FIRST_USER_LOCK_ID})`);
    const isFirst = (await countUsers(transaction)) === 0;
    mayRegister(isFirst);
    return createUser(transaction, { ...input, role: isFirst ? 'admin' : input.role });
  });
}

export async function findUserByEmail(orm: Orm, email: string): Promise<User | undefined> {
  const [user] = await orm
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, normaliseEmail(email)));
  return user;
}

export async function findActiveUser(orm: Orm, id: string): Promise<User | undefined> {
  const [user] = await orm
    .select()
    .from(users)
    .where(and(eq(users.id, id), isNull(users.disabledAt)));
  return user;
}

export async function findUser(orm: Orm, id: string): Promise<User | undefined> {
  const [user] = await orm.select().from(users).where(eq(users.id, id));
  return user;
}

export async function listUsers(orm: Orm, page: { limit: number; skip: number }) {
  const [rows, [total]] = await Promise.all([
    orm.select().from(users).orderBy(asc(users.createdAt), asc(users.id)).limit(page.limit).offset(page.skip),
    orm.select({ total: count() }).from(users),
  ]);
  return { rows, total: total?.total ?? 0 };
}

export async function updateUser(
  orm: Orm,
  id: string,
  changes: { role?: Role | undefined; disabled?: boolean | undefined; displayName?: string | undefined },
): Promise<User | undefined> {
  const [updated] = await orm
    .update(users)
    .set({
      ...(changes.role ? { role: changes.role } : {}),
      ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
      ...(changes.disabled !== undefined ? { disabledAt: changes.disabled ? new Date() : null } : {}),
      updatedAt: new Date(),
    })
    .where(eq(users.id, id))
    .returning();
  return updated;
}
