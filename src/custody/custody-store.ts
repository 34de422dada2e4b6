import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agentProgress, custodyTests } from '../db/schema.js';
import { recordCustodyEvent } from '../learning/learning-event-store.js';
import { CUSTODY_PASS_XP, type Difficulty, difficultyFor, levelFor } from '../learning/xp.js';
import { CUSTODY_AGENT_TYPES, type CustodyOutcome } from './types.js';

export type CustodyTestRow = typeof custodyTests.$inferSelect;

/** Stored per case at most (the generators make at most 16). */
const MAX_STORED_CASES = 50;

/**
 * Stores a scored custody test and, in the same transaction, its learning event (kind `custody`), which
 * awards the difficulty's XP for a pass through the one writer of agent progress. A second store for the
 * same task and agent type (a retried attempt) changes nothing and answers the stored test.
 */
export async function storeCustodyTest(
  orm: Orm,
  outcome: CustodyOutcome,
  origin: { taskId: string | null; trigger: string; at?: Date | undefined },
): Promise<{ row: CustodyTestRow; created: boolean }> {
  return orm.transaction(async (transaction) => {
    const xpAwarded = outcome.passed ? CUSTODY_PASS_XP[outcome.difficulty] : 0;
    const [row] = await transaction
      .insert(custodyTests)
      .values({
        agentType: outcome.agentType,
        difficulty: outcome.difficulty,
        seed: outcome.seed,
        cases: outcome.cases,
        passedCases: outcome.passedCases,
        score: outcome.score,
        passed: outcome.passed,
        xpAwarded,
        details: {
          threshold: outcome.threshold,
          duration_ms: outcome.durationMs,
          cases: outcome.results.slice(0, MAX_STORED_CASES),
        },
        taskId: origin.taskId,
        trigger: origin.trigger,
        ...(origin.at ? { createdAt: origin.at } : {}),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [existing] = await transaction
        .select()
        .from(custodyTests)
        .where(and(eq(custodyTests.taskId, origin.taskId!), eq(custodyTests.agentType, outcome.agentType)));
      return { row: existing!, created: false };
    }
    await recordCustodyEvent(transaction, {
      agentType: row.agentType,
      custodyTestId: row.id,
      difficulty: row.difficulty,
      passed: row.passed,
      score: row.score,
      at: origin.at,
    });
    return { row, created: true };
  });
}

export async function findCustodyTest(orm: Orm, id: string): Promise<CustodyTestRow | undefined> {
  const [row] = await orm.select().from(custodyTests).where(eq(custodyTests.id, id));
  return row;
}

export async function findCustodyTestOfTask(
  orm: Orm,
  taskId: string,
  agentType: string,
): Promise<CustodyTestRow | undefined> {
  const [row] = await orm
    .select()
    .from(custodyTests)
    .where(and(eq(custodyTests.taskId, taskId), eq(custodyTests.agentType, agentType)));
  return row;
}

export interface CustodyTestFilter {
  readonly agentType?: string | undefined;
  readonly passed?: boolean | undefined;
  readonly difficulty?: Difficulty | undefined;
  readonly skip: number;
  readonly limit: number;
}

/** Custody tests, newest first, with the total matching the filter. */
export async function listCustodyTests(
  orm: Orm,
  filter: CustodyTestFilter,
): Promise<{ rows: CustodyTestRow[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.agentType) conditions.push(eq(custodyTests.agentType, filter.agentType));
  if (filter.passed !== undefined) conditions.push(eq(custodyTests.passed, filter.passed));
  if (filter.difficulty) conditions.push(eq(custodyTests.difficulty, filter.difficulty));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [count]] = await Promise.all([
    orm
      .select()
      .from(custodyTests)
      .where(where)
      .orderBy(desc(custodyTests.createdAt), desc(custodyTests.id))
      .limit(filter.limit)
      .offset(filter.skip),
    orm
      .select({ total: sql<number>`count(*)::int` })
      .from(custodyTests)
      .where(where),
  ]);
  return { rows, total: count?.total ?? 0 };
}

// ------------------------------------------------------------------------------------------- eligibility

/** The rule: at least 3 of the last 5 custody tests passed, and at most 2 consecutive failures. */
export const ELIGIBILITY_WINDOW = 5;
export const ELIGIBILITY_MIN_PASSES = 3;
export const ELIGIBILITY_MAX_CONSECUTIVE_FAILURES = 2;

export interface Eligibility {
  readonly eligible: boolean;
  /** pass (true) / fail (false) of the last five tests, newest first */
  readonly lastFive: boolean[];
  readonly passedOfLastFive: number;
  /** failures since the newest pass */
  readonly consecutiveFailures: number;
  readonly reason: string;
}

/**
 * Whether an agent may act on its own, from its custody history: `recent` newest first (at least the last
 * five), `consecutiveFailures` the failures since its newest pass (possibly more than five). Pure.
 */
export function eligibilityOf(recent: readonly boolean[], consecutiveFailures?: number): Eligibility {
  const lastFive = recent.slice(0, ELIGIBILITY_WINDOW);
  const passedOfLastFive = lastFive.filter(Boolean).length;
  const streak = consecutiveFailures ?? (recent.findIndex(Boolean) === -1 ? recent.length : recent.findIndex(Boolean));
  const reasons: string[] = [];
  if (lastFive.length === 0) reasons.push('no custody test yet');
  else if (passedOfLastFive < ELIGIBILITY_MIN_PASSES) {
    reasons.push(
      `${passedOfLastFive} of the last ${lastFive.length} custody tests passed (${ELIGIBILITY_MIN_PASSES} of the last ${ELIGIBILITY_WINDOW} needed)`,
    );
  }
  if (streak > ELIGIBILITY_MAX_CONSECUTIVE_FAILURES) {
    reasons.push(`${streak} consecutive custody failures (at most ${ELIGIBILITY_MAX_CONSECUTIVE_FAILURES} allowed)`);
  }
  const eligible = reasons.length === 0;
  return {
    eligible,
    lastFive,
    passedOfLastFive,
    consecutiveFailures: streak,
    reason: eligible
      ? `${passedOfLastFive} of the last ${lastFive.length} custody tests passed, ${streak} consecutive failures`
      : reasons.join('; '),
  };
}

/** An agent type's eligibility from its stored custody tests. */
export async function custodyEligibility(orm: Orm, agentType: string): Promise<Eligibility> {
  const [recent, [streak]] = await Promise.all([
    orm
      .select({ passed: custodyTests.passed })
      .from(custodyTests)
      .where(eq(custodyTests.agentType, agentType))
      .orderBy(desc(custodyTests.createdAt), desc(custodyTests.id))
      .limit(ELIGIBILITY_WINDOW),
    orm
      .select({ failures: sql<number>`count(*)::int` })
      .from(custodyTests)
      .where(
        and(
          eq(custodyTests.agentType, agentType),
          eq(custodyTests.passed, false),
          sql`${custodyTests.createdAt} > coalesce((select max(newest.created_at) from ${custodyTests} newest where newest.agent_type = ${agentType} and newest.passed), '-infinity'::timestamptz)`,
        ),
      ),
  ]);
  return eligibilityOf(
    recent.map((row) => row.passed),
    streak?.failures ?? 0,
  );
}

export function presentEligibility(agentType: string, eligibility: Eligibility) {
  return {
    agent_type: agentType,
    eligible: eligibility.eligible,
    last_five: eligibility.lastFive,
    passed_of_last_five: eligibility.passedOfLastFive,
    consecutive_failures: eligibility.consecutiveFailures,
    reason: eligibility.reason,
  };
}

// ------------------------------------------------------------------------------------------- leaderboard

/**
 * Every agent with progress or a custody test (and every custody-testable type), ranked by XP, then
 * level, then custody pass rate.
 */
export async function custodyLeaderboard(orm: Orm) {
  const [progress, custody] = await Promise.all([
    orm.select().from(agentProgress).orderBy(asc(agentProgress.agentType)),
    orm
      .select({
        agentType: custodyTests.agentType,
        tests: sql<number>`count(*)::int`,
        passed: sql<number>`(count(*) filter (where ${custodyTests.passed}))::int`,
        xp: sql<number>`coalesce(sum(${custodyTests.xpAwarded}), 0)::int`,
        last: sql<Date | null>`max(${custodyTests.createdAt})`.mapWith(custodyTests.createdAt),
      })
      .from(custodyTests)
      .groupBy(custodyTests.agentType),
  ]);
  const types = new Set<string>([
    ...CUSTODY_AGENT_TYPES,
    ...progress.map((row) => row.agentType),
    ...custody.map((row) => row.agentType),
  ]);
  const entries = await Promise.all(
    [...types].map(async (agentType) => {
      const record = progress.find((row) => row.agentType === agentType);
      const tests = custody.find((row) => row.agentType === agentType);
      const xp = record?.xp ?? 0;
      const level = record?.level ?? levelFor(xp);
      const eligibility = await custodyEligibility(orm, agentType);
      return {
        agent_type: agentType,
        xp,
        level,
        difficulty: difficultyFor(level),
        custody_tests: tests?.tests ?? 0,
        custody_passed: tests?.passed ?? 0,
        custody_pass_rate: tests?.tests ? Math.round((tests.passed / tests.tests) * 10_000) / 10_000 : null,
        custody_xp: tests?.xp ?? 0,
        last_custody_test_at: tests?.last ? new Date(tests.last).toISOString() : null,
        eligible: eligibility.eligible,
      };
    }),
  );
  entries.sort(
    (a, b) =>
      b.xp - a.xp ||
      b.level - a.level ||
      (b.custody_pass_rate ?? -1) - (a.custody_pass_rate ?? -1) ||
      a.agent_type.localeCompare(b.agent_type),
  );
  return entries.map((entry, index) => ({ rank: index + 1, ...entry }));
}

/** An agent type's current level (1 before it has any progress). */
export async function agentLevel(orm: Orm, agentType: string): Promise<number> {
  const [row] = await orm
    .select({ level: agentProgress.level })
    .from(agentProgress)
    .where(eq(agentProgress.agentType, agentType));
  return row?.level ?? 1;
}
