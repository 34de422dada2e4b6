import type { Difficulty } from '../learning/xp.js';

/** The agent types the custody protocol can test (Conquest's cases come with Conquest). */
export const CUSTODY_AGENT_TYPES = ['guardian', 'imperium', 'sandbox'] as const;
export type CustodyAgentType = (typeof CUSTODY_AGENT_TYPES)[number];

export const isCustodyAgentType = (value: string): value is CustodyAgentType =>
  (CUSTODY_AGENT_TYPES as readonly string[]).includes(value);

/** One case's outcome: what the ground truth says, what the agent did, and whether they agree. */
export interface CaseResult {
  readonly id: string;
  /** e.g. vulnerable / clean (Guardian), opportunity / decoy (Imperium), break / keep (Sandbox) */
  readonly kind: string;
  readonly expected: Record<string, unknown>;
  readonly got: Record<string, unknown>;
  readonly correct: boolean;
}

/** A scored custody test, before it is stored. */
export interface CustodyOutcome {
  readonly agentType: CustodyAgentType;
  readonly difficulty: Difficulty;
  readonly seed: number;
  readonly cases: number;
  readonly passedCases: number;
  /** correct cases / cases, rounded to 4 decimals */
  readonly score: number;
  readonly threshold: number;
  readonly passed: boolean;
  readonly results: readonly CaseResult[];
  /** wall time of the run */
  readonly durationMs: number;
}
