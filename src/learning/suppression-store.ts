import { and, desc, eq, gt, isNotNull, isNull, max, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { learningEvents, learningSuppressions } from '../db/schema.js';
import { takeLearningLock } from './learning-lock.js';

/** A (repository, rule) with at least this many verdicts … */
export const SUPPRESSION_MIN_VERDICTS = 5;
/** … of which fewer than this share were accepted is not proposed again until lifted. */
export const SUPPRESSION_MAX_ACCEPTANCE = 0.2;

export type Suppression = typeof learningSuppressions.$inferSelect;

export async function activeSuppression(
  orm: Orm,
  repositoryId: string,
  ruleId: string,
): Promise<Suppression | undefined> {
  const [row] = await orm
    .select()
    .from(learningSuppressions)
    .where(
      and(
        eq(learningSuppressions.repositoryId, repositoryId),
        eq(learningSuppressions.ruleId, ruleId),
        isNull(learningSuppressions.liftedAt),
      ),
    );
  return row;
}

/**
 * Suppresses a (repository, rule) if its record calls for it: at least 5 verdicts and under 20% accepted.
 * Only verdicts after the last lift count, so a lifted rule gets a fresh start. The caller holds the
 * learning lock.
 */
export async function evaluateSuppression(
  transaction: Orm,
  repositoryId: string,
  ruleId: string,
  now: Date,
): Promise<Suppression | undefined> {
  if (await activeSuppression(transaction, repositoryId, ruleId)) return undefined;
  const [lifted] = await transaction
    .select({ after: max(learningSuppressions.liftedAtEventId) })
    .from(learningSuppressions)
    .where(
      and(
        eq(learningSuppressions.repositoryId, repositoryId),
        eq(learningSuppressions.ruleId, ruleId),
        isNotNull(learningSuppressions.liftedAt),
      ),
    );
  const [record] = await transaction
    .select({
      verdicts: sql<number>`count(*)::int`,
      accepted: sql<number>`(count(*) filter (where ${learningEvents.outcome} = 'accepted'))::int`,
    })
    .from(learningEvents)
    .where(
      and(
        eq(learningEvents.kind, 'verdict'),
        eq(learningEvents.repositoryId, repositoryId),
        eq(learningEvents.ruleId, ruleId),
        lifted?.after ? gt(learningEvents.id, lifted.after) : undefined,
      ),
    );
  const verdicts = record?.verdicts ?? 0;
  const acceptance = verdicts ? (record?.accepted ?? 0) / verdicts : 1;
  if (verdicts < SUPPRESSION_MIN_VERDICTS || acceptance >= SUPPRESSION_MAX_ACCEPTANCE) return undefined;
  const [created] = await transaction
    .insert(learningSuppressions)
    .values({ repositoryId, ruleId, acceptance, verdicts, suppressedAt: now })
    .onConflictDoNothing()
    .returning();
  return created;
}

/** Suppressions of every (repository, rule) whose verdicts call for one (after a retrain or backfill). */
export async function evaluateAllSuppressions(transaction: Orm, now: Date): Promise<Suppression[]> {
  const pairs = await transaction
    .selectDistinct({ repositoryId: learningEvents.repositoryId, ruleId: learningEvents.ruleId })
    .from(learningEvents)
    .where(
      and(eq(learningEvents.kind, 'verdict'), isNotNull(learningEvents.repositoryId), isNotNull(learningEvents.ruleId)),
    );
  const created: Suppression[] = [];
  for (const pair of pairs) {
    const suppression = await evaluateSuppression(transaction, pair.repositoryId!, pair.ruleId!, now);
    if (suppression) created.push(suppression);
  }
  return created;
}

/** Lifts the active suppression of a (repository, rule); undefined when there is none. */
export async function liftSuppression(
  orm: Orm,
  input: { repositoryId: string; ruleId: string; actor: string; now: Date },
): Promise<Suppression | undefined> {
  return orm.transaction(async (transaction) => {
    await takeLearningLock(transaction);
    const [newest] = await transaction.select({ id: max(learningEvents.id) }).from(learningEvents);
    const [lifted] = await transaction
      .update(learningSuppressions)
      .set({ liftedAt: input.now, liftedBy: input.actor, liftedAtEventId: newest?.id ?? 0 })
      .where(
        and(
          eq(learningSuppressions.repositoryId, input.repositoryId),
          eq(learningSuppressions.ruleId, input.ruleId),
          isNull(learningSuppressions.liftedAt),
        ),
      )
      .returning();
    return lifted;
  });
}

export async function listSuppressions(orm: Orm, options: { includeLifted: boolean }): Promise<Suppression[]> {
  return orm
    .select()
    .from(learningSuppressions)
    .where(options.includeLifted ? undefined : isNull(learningSuppressions.liftedAt))
    .orderBy(desc(learningSuppressions.suppressedAt), desc(learningSuppressions.id));
}

export function presentSuppression(row: Suppression) {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    rule_id: row.ruleId,
    acceptance: Math.round(row.acceptance * 10_000) / 10_000,
    verdicts: row.verdicts,
    suppressed_at: row.suppressedAt.toISOString(),
    lifted_at: row.liftedAt?.toISOString() ?? null,
    lifted_by: row.liftedBy,
  };
}
