import type { Orm } from '../db/database.js';
import type { learningEvents } from '../db/schema.js';
import { type AgentProgressRow, eventsToFold, findAgentProgress, upsertAgentProgress } from './agent-progress-store.js';
import {
  addXp,
  DIFFICULTIES,
  type Difficulty,
  difficultyFor,
  FAILING_TEST_VERDICTS,
  levelFor,
  PASSING_TEST_VERDICTS,
  xpDelta,
  xpToNextLevel,
} from './xp.js';

/** How many recent verdicts learning_score looks at. */
export const LEARNING_SCORE_WINDOW = 20;

export interface ProgressState {
  xp: number;
  verdicts: number;
  accepted: number;
  rejected: number;
  applied: number;
  applyFailed: number;
  testsGiven: number;
  testsPassed: number;
  testsFailed: number;
  consecutivePasses: number;
  consecutiveFailures: number;
  recentVerdicts: number[];
  lastEventId: number | null;
}

export type LearningEventRow = typeof learningEvents.$inferSelect;
type FoldableEvent = Pick<LearningEventRow, 'id' | 'kind' | 'outcome' | 'features'>;

export const EMPTY_PROGRESS: ProgressState = {
  xp: 0,
  verdicts: 0,
  accepted: 0,
  rejected: 0,
  applied: 0,
  applyFailed: 0,
  testsGiven: 0,
  testsPassed: 0,
  testsFailed: 0,
  consecutivePasses: 0,
  consecutiveFailures: 0,
  recentVerdicts: [],
  lastEventId: null,
};

/** The XP rules applied to a stored event (the same call computes its stored xp_delta). */
export function eventXp(event: Pick<LearningEventRow, 'kind' | 'outcome' | 'features'>): number {
  const testVerdict = event.features.test_verdict;
  const difficulty = event.features.difficulty;
  return xpDelta({
    kind: event.kind,
    outcome: event.outcome,
    testVerdict: typeof testVerdict === 'string' ? testVerdict : null,
    // custody events carry the test's difficulty, which sets their XP
    difficulty: (DIFFICULTIES as readonly unknown[]).includes(difficulty) ? (difficulty as Difficulty) : undefined,
  });
}

/** One event folded into an agent's record. Pure: the incremental update and the recompute share it. */
export function foldEvent(state: ProgressState, event: FoldableEvent): ProgressState {
  const next: ProgressState = { ...state, recentVerdicts: [...state.recentVerdicts], lastEventId: event.id };
  next.xp = addXp(state.xp, eventXp(event));
  if (event.kind === 'verdict') {
    next.verdicts += 1;
    if (event.outcome === 'accepted') next.accepted += 1;
    else next.rejected += 1;
    next.recentVerdicts.push(event.outcome === 'accepted' ? 1 : 0);
    if (next.recentVerdicts.length > LEARNING_SCORE_WINDOW) next.recentVerdicts.shift();
  } else if (event.kind === 'apply') {
    if (event.outcome === 'applied') next.applied += 1;
    else next.applyFailed += 1;
  } else if (event.kind === 'test') {
    next.testsGiven += 1;
    if (PASSING_TEST_VERDICTS.includes(event.outcome)) {
      next.testsPassed += 1;
      next.consecutivePasses += 1;
      next.consecutiveFailures = 0;
    } else if (FAILING_TEST_VERDICTS.includes(event.outcome)) {
      next.testsFailed += 1;
      next.consecutiveFailures += 1;
      next.consecutivePasses = 0;
    }
    // still-failing and error are the repository's or the sandbox's doing, not the change's: no streak moves
  }
  // a custody event only moves XP (its record is the custody_tests table)
  return next;
}

function stateOf(row: AgentProgressRow | undefined): ProgressState {
  if (!row) return { ...EMPTY_PROGRESS, recentVerdicts: [] };
  return {
    xp: row.xp,
    verdicts: row.verdicts,
    accepted: row.accepted,
    rejected: row.rejected,
    applied: row.applied,
    applyFailed: row.applyFailed,
    testsGiven: row.testsGiven,
    testsPassed: row.testsPassed,
    testsFailed: row.testsFailed,
    consecutivePasses: row.consecutivePasses,
    consecutiveFailures: row.consecutiveFailures,
    recentVerdicts: row.recentVerdicts,
    lastEventId: row.lastEventId,
  };
}

/**
 * The one writer of agent_progress: folds `events` (in id order) into either the stored record (`from:
 * 'stored'`, the incremental update after each event) or an empty one (`from: 'empty'`, the recompute from
 * history), and stores the result. Callers hold the learning lock (learning-lock.ts), so events are folded
 * in the order of their ids, which is the order they were committed in: both ways give the same record.
 */
export async function writeAgentProgress(
  transaction: Orm,
  agentType: string,
  events: readonly FoldableEvent[],
  from: 'stored' | 'empty',
): Promise<ProgressState> {
  let state: ProgressState;
  if (from === 'stored') {
    state = stateOf(await findAgentProgress(transaction, agentType));
  } else {
    state = stateOf(undefined);
  }
  for (const event of events) state = foldEvent(state, event);
  const values = {
    xp: state.xp,
    level: levelFor(state.xp),
    verdicts: state.verdicts,
    accepted: state.accepted,
    rejected: state.rejected,
    applied: state.applied,
    applyFailed: state.applyFailed,
    testsGiven: state.testsGiven,
    testsPassed: state.testsPassed,
    testsFailed: state.testsFailed,
    consecutivePasses: state.consecutivePasses,
    consecutiveFailures: state.consecutiveFailures,
    recentVerdicts: state.recentVerdicts,
    lastEventId: state.lastEventId,
  };
  await upsertAgentProgress(transaction, agentType, values);
  return state;
}

/** Rebuilds an agent's record from its whole history (the learning lock must be held). */
export async function recomputeAgentProgress(transaction: Orm, agentType: string): Promise<ProgressState> {
  const events = await eventsToFold(transaction, agentType);
  return writeAgentProgress(transaction, agentType, events, 'empty');
}

export type { AgentProgressRow } from './agent-progress-store.js';

/** The seed's AgentMetrics fields and the record behind them, as the API shows them. */
export function presentProgress(row: AgentProgressRow) {
  const recent = row.recentVerdicts;
  return {
    agent_type: row.agentType,
    xp: row.xp,
    level: row.level,
    difficulty: difficultyFor(row.level),
    xp_to_next_level: xpToNextLevel(row.xp),
    learning_score: recent.length ? round(recent.reduce((sum, value) => sum + value, 0) / recent.length) : null,
    success_rate: row.verdicts ? round(row.accepted / row.verdicts) : null,
    verdicts: row.verdicts,
    accepted: row.accepted,
    rejected: row.rejected,
    applied: row.applied,
    apply_failed: row.applyFailed,
    tests_given: row.testsGiven,
    tests_passed: row.testsPassed,
    tests_failed: row.testsFailed,
    consecutive_passes: row.consecutivePasses,
    consecutive_failures: row.consecutiveFailures,
    updated_at: row.updatedAt.toISOString(),
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
