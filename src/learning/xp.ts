/**
 * The one rules module for XP, levels and difficulty (SPEC §2). docs/learning.md shows these tables; a
 * test keeps the two the same.
 */

export const DIFFICULTIES = ['basic', 'intermediate', 'advanced', 'expert', 'master', 'legendary'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** XP an event is worth. Rejections take XP away, but an agent's XP never goes below zero. */
export const XP_RULES = {
  accepted: 10,
  applied_with_passing_tests: 15,
  rejected: -5,
} as const;

/** XP for passing a custody test, by the test's difficulty (the custody protocol awards these). */
export const CUSTODY_PASS_XP: Readonly<Record<Difficulty, number>> = {
  basic: 5,
  intermediate: 10,
  advanced: 20,
  expert: 35,
  master: 50,
  legendary: 100,
};

/** The least XP of each level: level 1 at 0 XP, level 2 at 100, … level 10 at 16 000. */
export const LEVEL_THRESHOLDS: readonly number[] = [0, 100, 250, 500, 1000, 2000, 4000, 7000, 11_000, 16_000];
export const MAX_LEVEL = LEVEL_THRESHOLDS.length;

/** The difficulty of the custody tests an agent gets at each level (index 0 is level 1). */
export const DIFFICULTY_BY_LEVEL: readonly Difficulty[] = [
  'basic',
  'basic',
  'intermediate',
  'intermediate',
  'advanced',
  'advanced',
  'expert',
  'expert',
  'master',
  'legendary',
];

/** Sandbox verdicts that count as passing tests. */
export const PASSING_TEST_VERDICTS: readonly string[] = ['passed', 'fixed'];
/** Sandbox verdicts that count as failing: a failure the change caused. */
export const FAILING_TEST_VERDICTS: readonly string[] = ['regression'];

export interface XpEvent {
  readonly kind: 'verdict' | 'test' | 'apply' | 'custody';
  readonly outcome: string;
  /** for apply: the proposal's Sandbox verdict; for custody: the test's difficulty */
  readonly testVerdict?: string | null | undefined;
  readonly difficulty?: Difficulty | undefined;
}

/** The XP an event is worth, before the floor at zero. */
export function xpDelta(event: XpEvent): number {
  switch (event.kind) {
    case 'verdict':
      return event.outcome === 'accepted' ? XP_RULES.accepted : event.outcome === 'rejected' ? XP_RULES.rejected : 0;
    case 'apply':
      return event.outcome === 'applied' && PASSING_TEST_VERDICTS.includes(event.testVerdict ?? '')
        ? XP_RULES.applied_with_passing_tests
        : 0;
    case 'custody':
      return event.outcome === 'passed' && event.difficulty ? CUSTODY_PASS_XP[event.difficulty] : 0;
    case 'test':
      return 0;
  }
}

/** XP after an event: never below zero. */
export function addXp(xp: number, delta: number): number {
  return Math.max(0, xp + delta);
}

export function levelFor(xp: number): number {
  let level = 1;
  for (const [index, threshold] of LEVEL_THRESHOLDS.entries()) if (xp >= threshold) level = index + 1;
  return level;
}

export function difficultyFor(level: number): Difficulty {
  return DIFFICULTY_BY_LEVEL[Math.min(Math.max(level, 1), MAX_LEVEL) - 1]!;
}

/** XP still needed for the next level; null at the top. */
export function xpToNextLevel(xp: number): number | null {
  const level = levelFor(xp);
  return level >= MAX_LEVEL ? null : LEVEL_THRESHOLDS[level]! - xp;
}
