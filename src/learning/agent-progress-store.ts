import { asc, eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agentProgress, learningEvents } from '../db/schema.js';

export type AgentProgressRow = typeof agentProgress.$inferSelect;
type AgentProgressValues = Omit<typeof agentProgress.$inferInsert, 'agentType' | 'updatedAt'>;

export async function findAgentProgress(orm: Orm, agentType: string): Promise<AgentProgressRow | undefined> {
  const [row] = await orm.select().from(agentProgress).where(eq(agentProgress.agentType, agentType));
  return row;
}

/** Stores an agent's record, replacing the one it had. */
export async function upsertAgentProgress(
  transaction: Orm,
  agentType: string,
  record: AgentProgressValues,
): Promise<void> {
  const values = { ...record, updatedAt: sql`now()` };
  await transaction
    .insert(agentProgress)
    .values({ agentType, ...values })
    .onConflictDoUpdate({ target: agentProgress.agentType, set: values });
}

/** What of an agent's learning events its record is folded from, in id order. */
export async function eventsToFold(transaction: Orm, agentType: string) {
  return transaction
    .select({
      id: learningEvents.id,
      kind: learningEvents.kind,
      outcome: learningEvents.outcome,
      features: learningEvents.features,
    })
    .from(learningEvents)
    .where(eq(learningEvents.agentType, agentType))
    .orderBy(asc(learningEvents.id));
}
