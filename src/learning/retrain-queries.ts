import { and, asc, eq, gt, inArray, isNotNull, max, or, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { learningEvents, learningModels, proposals } from '../db/schema.js';
import type { LearningEventKind } from './learning-event-store.js';

/**
 * Proposals with a verdict, a test result or an apply outcome but no learning event for it, oldest update
 * first.
 */
export async function proposalsMissingEvents(transaction: Orm) {
  const missing = (kind: LearningEventKind) =>
    sql`not exists (select 1 from ${learningEvents} where ${learningEvents.proposalId} = ${proposals.id} and ${learningEvents.kind} = ${kind})`;
  return transaction
    .select()
    .from(proposals)
    .where(
      or(
        and(inArray(proposals.status, ['accepted', 'rejected', 'applied', 'apply-failed']), missing('verdict')),
        and(isNotNull(proposals.testResults), missing('test')),
        and(inArray(proposals.status, ['applied', 'apply-failed']), missing('apply')),
      ),
    )
    .orderBy(asc(proposals.updatedAt), asc(proposals.id));
}

/** Stores a learning event unless its (proposal, kind) has one; answers how many were stored (0 or 1). */
export async function insertLearningEventOnce(
  transaction: Orm,
  event: typeof learningEvents.$inferInsert,
): Promise<number> {
  const inserted = await transaction
    .insert(learningEvents)
    .values(event)
    .onConflictDoNothing()
    .returning({ id: learningEvents.id });
  return inserted.length;
}

/** Every verdict event's features and outcome, in id order. */
export async function verdictEvents(transaction: Orm) {
  return transaction
    .select({ id: learningEvents.id, features: learningEvents.features, outcome: learningEvents.outcome })
    .from(learningEvents)
    .where(eq(learningEvents.kind, 'verdict'))
    .orderBy(asc(learningEvents.id));
}

/** Stores an acceptance model as the version after the newest one. */
export async function storeNextAcceptanceModel(
  transaction: Orm,
  model: { weights: Record<string, unknown>; metrics: Record<string, unknown> | null; trainedOn: number },
) {
  const [newest] = await transaction
    .select({ version: max(learningModels.version) })
    .from(learningModels)
    .where(eq(learningModels.kind, 'acceptance'));
  const [stored] = await transaction
    .insert(learningModels)
    .values({ kind: 'acceptance', version: (newest?.version ?? 0) + 1, ...model })
    .returning();
  return stored!;
}

/** The agent types that have learning events. */
export async function learningAgentTypes(transaction: Orm): Promise<string[]> {
  const rows = await transaction.selectDistinct({ agentType: learningEvents.agentType }).from(learningEvents);
  return rows.map((row) => row.agentType);
}

/** Whether a verdict was recorded after the one with this id. */
export async function hasVerdictAfter(orm: Orm, id: number): Promise<boolean> {
  const [later] = await orm
    .select({ id: learningEvents.id })
    .from(learningEvents)
    .where(and(eq(learningEvents.kind, 'verdict'), gt(learningEvents.id, id)))
    .limit(1);
  return later !== undefined;
}

/** Replaces the weights of the newest acceptance model (the row `rowId`), or stores version 1 when none. */
export async function replaceNewestModel(
  orm: Orm,
  rowId: string | undefined,
  weights: Record<string, unknown>,
  trainedOn: number,
): Promise<void> {
  if (rowId) {
    await orm
      .update(learningModels)
      .set({ weights, trainedOn, updatedAt: sql`now()` })
      .where(eq(learningModels.id, rowId));
  } else {
    await orm.insert(learningModels).values({ kind: 'acceptance', version: 1, weights, trainedOn });
  }
}
