import type { Compute } from '../compute/compute.js';
import type { Difficulty } from '../learning/xp.js';
import { sandboxService, type SandboxSettings } from '../sandbox/sandbox-service.js';
import { profileFor } from './difficulty.js';
import { generateGuardianCases, runGuardianCases } from './guardian-cases.js';
import { generateImperiumCases, runImperiumCases } from './imperium-cases.js';
import { generateSandboxFixture, runSandboxCases } from './sandbox-cases.js';
import type { CaseResult, CustodyAgentType, CustodyOutcome } from './types.js';

/** Seeds are unsigned 32-bit integers (the generator's state). */
export const MAX_SEED = 0xffff_ffff;

/**
 * Scores case results: score = correct cases / cases (4 decimals); passed when the score reaches the
 * difficulty's threshold. Pure: the same results always score the same.
 */
export function scoreCustody(
  agentType: CustodyAgentType,
  difficulty: Difficulty,
  results: readonly CaseResult[],
): { cases: number; passedCases: number; score: number; threshold: number; passed: boolean } {
  const { threshold } = profileFor(agentType, difficulty);
  const passedCases = results.filter((result) => result.correct).length;
  const score = results.length === 0 ? 0 : Math.round((passedCases / results.length) * 10_000) / 10_000;
  return { cases: results.length, passedCases, score, threshold, passed: results.length > 0 && score >= threshold };
}

/**
 * Generates one agent's cases from (difficulty, seed), lets the real agent work on them (Guardian's
 * analyzer, Imperium's engine, Sandbox's pipeline) and scores the result.
 */
export async function runCustodyTest(
  input: { agentType: CustodyAgentType; difficulty: Difficulty; seed: number },
  environment: {
    config: SandboxSettings;
    /** where the analyzer and the engine run (an agent task's compute pool) */
    compute: Compute;
    signal?: AbortSignal | undefined;
  },
): Promise<CustodyOutcome> {
  const started = performance.now();
  const { agentType, difficulty, seed } = input;
  let results: CaseResult[];
  if (agentType === 'guardian') {
    results = await runGuardianCases(generateGuardianCases(difficulty, seed), environment.compute, environment.signal);
  } else if (agentType === 'imperium') {
    results = await runImperiumCases(generateImperiumCases(difficulty, seed), environment.compute, environment.signal);
  } else {
    const service = await sandboxService(environment.config);
    results = await runSandboxCases(generateSandboxFixture(difficulty, seed), service, environment.signal);
  }
  return {
    agentType,
    difficulty,
    seed,
    ...scoreCustody(agentType, difficulty, results),
    results,
    durationMs: Math.round(performance.now() - started),
  };
}
