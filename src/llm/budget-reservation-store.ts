import { eq, lte, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { llmBudgetReservations } from '../db/schema.js';

/** Deletes the reservations that expired at or before `now` (their calls never released them). */
export async function deleteExpiredReservations(orm: Orm, now: Date): Promise<void> {
  await orm.delete(llmBudgetReservations).where(lte(llmBudgetReservations.expiresAt, now));
}

/** Tokens reserved by calls in flight: of one agent type, or of all when `agentType` is undefined. */
export async function reservedTokens(orm: Orm, agentType: string | undefined): Promise<number> {
  const [held] = await orm
    .select({ tokens: sql<string>`coalesce(sum(${llmBudgetReservations.tokens}), 0)::bigint` })
    .from(llmBudgetReservations)
    .where(agentType !== undefined ? eq(llmBudgetReservations.agentType, agentType) : undefined);
  return Number(held?.tokens ?? 0);
}

export async function insertReservation(
  orm: Orm,
  reservation: { agentType: string; tokens: number; expiresAt: Date },
): Promise<string> {
  const [row] = await orm.insert(llmBudgetReservations).values(reservation).returning({ id: llmBudgetReservations.id });
  return row!.id;
}

export async function deleteReservation(orm: Orm, id: string): Promise<void> {
  await orm.delete(llmBudgetReservations).where(eq(llmBudgetReservations.id, id));
}
