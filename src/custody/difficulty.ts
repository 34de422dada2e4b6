import type { Difficulty } from '../learning/xp.js';
import type { CustodyAgentType } from './types.js';

/**
 * What each difficulty asks of an agent (docs/custody.md shows this table). `cases` grows with difficulty;
 * `obfuscation` is the highest indirection level a case may use (0 direct, 1 renamed locals and string
 * building, 2 helper functions and renamed sources, 3 helpers plus unrelated code around); `trickyShare`
 * is the share of cases that look like the real thing but are not (Guardian: clean twins with the same
 * sink and sanitised or constant input; Imperium: rewrites whose precondition fails); `threshold` is the
 * least share of correct cases that passes.
 */
export interface DifficultyProfile {
  readonly cases: number;
  readonly obfuscation: 0 | 1 | 2 | 3;
  readonly cleanShare: number;
  readonly trickyShare: number;
  readonly threshold: number;
}

type Profiles = Readonly<Record<Difficulty, DifficultyProfile>>;

export const CUSTODY_PROFILES: Readonly<Record<CustodyAgentType, Profiles>> = {
  guardian: {
    basic: { cases: 6, obfuscation: 0, cleanShare: 0.34, trickyShare: 0, threshold: 0.8 },
    intermediate: { cases: 8, obfuscation: 1, cleanShare: 0.38, trickyShare: 0, threshold: 0.8 },
    advanced: { cases: 10, obfuscation: 2, cleanShare: 0.4, trickyShare: 0.2, threshold: 0.8 },
    expert: { cases: 12, obfuscation: 3, cleanShare: 0.5, trickyShare: 0.25, threshold: 0.85 },
    master: { cases: 14, obfuscation: 3, cleanShare: 0.5, trickyShare: 0.3, threshold: 0.85 },
    legendary: { cases: 16, obfuscation: 3, cleanShare: 0.5, trickyShare: 0.38, threshold: 0.9 },
  },
  imperium: {
    basic: { cases: 3, obfuscation: 0, cleanShare: 0, trickyShare: 0, threshold: 0.8 },
    intermediate: { cases: 4, obfuscation: 1, cleanShare: 0, trickyShare: 0, threshold: 0.8 },
    advanced: { cases: 5, obfuscation: 2, cleanShare: 0, trickyShare: 0.2, threshold: 0.8 },
    expert: { cases: 6, obfuscation: 3, cleanShare: 0, trickyShare: 0.34, threshold: 0.85 },
    master: { cases: 7, obfuscation: 3, cleanShare: 0, trickyShare: 0.29, threshold: 0.85 },
    legendary: { cases: 8, obfuscation: 3, cleanShare: 0, trickyShare: 0.38, threshold: 0.9 },
  },
  sandbox: {
    basic: { cases: 2, obfuscation: 0, cleanShare: 0.5, trickyShare: 0, threshold: 1 },
    intermediate: { cases: 2, obfuscation: 1, cleanShare: 0.5, trickyShare: 0, threshold: 1 },
    advanced: { cases: 3, obfuscation: 1, cleanShare: 0.34, trickyShare: 0.34, threshold: 1 },
    expert: { cases: 3, obfuscation: 2, cleanShare: 0.34, trickyShare: 0.34, threshold: 1 },
    master: { cases: 4, obfuscation: 2, cleanShare: 0.5, trickyShare: 0.5, threshold: 1 },
    legendary: { cases: 4, obfuscation: 3, cleanShare: 0.5, trickyShare: 0.5, threshold: 1 },
  },
};

export const profileFor = (agentType: CustodyAgentType, difficulty: Difficulty) =>
  CUSTODY_PROFILES[agentType][difficulty];

/** How many of `total` cases a share asks for (at least one when the share is above zero). */
export const shareOf = (total: number, share: number) => (share <= 0 ? 0 : Math.max(1, Math.round(total * share)));
