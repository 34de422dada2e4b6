import type { SandboxCommandResult } from '../db/schema.js';

/**
 * How a proposal's check results compare with its base commit's:
 * - `passed`: every check passes, as on the base;
 * - `fixed`: every check passes, and some failed on the base;
 * - `regression`: a check that passes on the base fails with the change;
 * - `still-failing`: some checks fail, but each of them fails on the base too — the proposal is not
 *   blamed for a failure it did not cause.
 */
export type SandboxVerdict = 'passed' | 'fixed' | 'regression' | 'still-failing';

export const commandPassed = (result: Pick<SandboxCommandResult, 'exit_code'>) => result.exit_code === 0;

export function compareWithBaseline(
  baseline: readonly SandboxCommandResult[],
  proposal: readonly SandboxCommandResult[],
): { verdict: SandboxVerdict; regressions: string[]; fixed: string[] } {
  const baseByCommand = new Map(baseline.map((result) => [result.command, result]));
  const regressions: string[] = [];
  const fixed: string[] = [];
  for (const result of proposal) {
    const base = baseByCommand.get(result.command);
    const basePassed = base !== undefined && commandPassed(base);
    if (!commandPassed(result) && (basePassed || base === undefined)) regressions.push(result.command);
    if (commandPassed(result) && base !== undefined && !basePassed) fixed.push(result.command);
  }
  if (regressions.length > 0) return { verdict: 'regression', regressions, fixed };
  if (proposal.every(commandPassed)) {
    return { verdict: baseline.every(commandPassed) ? 'passed' : 'fixed', regressions, fixed };
  }
  return { verdict: 'still-failing', regressions, fixed };
}

/** The proposal state a verdict leads to: only a failure the change caused fails it. */
export const statusForVerdict = (verdict: SandboxVerdict) =>
  verdict === 'regression' ? ('test-failed' as const) : ('test-passed' as const);
