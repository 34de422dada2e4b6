import type { Orm } from '../../src/db/database.js';
import { custodyTests } from '../../src/db/schema.js';

/**
 * Stores custody results for an agent type directly (oldest first, `true` = passed), a minute apart
 * and ending a minute ago, so tests can put an agent on either side of the autonomy gate without running
 * custody tests. No XP is awarded (no learning event).
 */
export async function storeCustodyHistory(
  orm: Orm,
  agentType: string,
  outcomes: readonly boolean[] = [true, true, true],
): Promise<void> {
  const now = Date.now();
  for (const [index, passed] of outcomes.entries()) {
    await orm.insert(custodyTests).values({
      agentType,
      difficulty: 'basic',
      seed: index,
      cases: 1,
      passedCases: passed ? 1 : 0,
      score: passed ? 1 : 0,
      passed,
      details: { cases: [] },
      trigger: 'manual',
      createdAt: new Date(now - (outcomes.length - index) * 60_000),
    });
  }
}
