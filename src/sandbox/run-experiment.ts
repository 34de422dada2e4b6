import type { Database } from '../db/database.js';
import { findProposal } from '../proposals/proposal-store.js';
import { resolveHead } from '../repositories/git-repository.js';
import { findRepository } from '../repositories/repository-store.js';
import { TaskFailure } from '../tasks/task-errors.js';
import { attachExperimentToProposal } from './create-experiment.js';
import { findExperiment, updateExperiment } from './experiment-store.js';
import { runChecks } from './run-checks.js';
import type { SandboxService } from './sandbox-service.js';
import { summariseTimings } from './timing-summary.js';
import { createWorkTree, writeChanges, type ThrowAwayWorkTree } from './work-tree.js';

export interface ExperimentContext {
  readonly database: Database;
  readonly service: SandboxService;
  readonly signal: AbortSignal;
  readonly log: (message: string) => Promise<void>;
  readonly now: () => Date;
}

function failureMessage(
  variant: string,
  run: number,
  result: { exit_code: number | null; limit: string | null; output_tail: string },
) {
  const how = result.limit ? `stopped at its ${result.limit} limit` : `exited with ${result.exit_code ?? 'a signal'}`;
  return `Run ${run} on the ${variant} ${how}: ${result.output_tail.slice(-2000)}`;
}

/**
 * Times a command N times on the base commit and N times with the proposal's change, alternating base and
 * change so that drift in the machine's load affects both alike. Only runs that succeed count; a failing
 * run fails the experiment (a time for a broken command means nothing).
 */
export async function runExperiment(
  context: ExperimentContext,
  experimentId: string,
): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const experiment = await findExperiment(orm, experimentId);
  if (!experiment) throw new TaskFailure('experiment_not_found', `No experiment ${experimentId}.`, false);
  if (experiment.status === 'succeeded' || experiment.status === 'failed') {
    return { experiment_id: experimentId, skipped: `the experiment already ${experiment.status}` };
  }
  const repository = await findRepository(orm, experiment.repositoryId);
  if (!repository) throw new TaskFailure('repository_not_found', `No repository ${experiment.repositoryId}.`, false);
  const proposal = experiment.proposalId ? await findProposal(orm, experiment.proposalId) : undefined;
  if (experiment.proposalId && !proposal) {
    throw new TaskFailure('proposal_not_found', `No proposal ${experiment.proposalId}.`, false);
  }
  const commit = proposal?.baseCommit ?? (await resolveHead(repository));
  await updateExperiment(orm, experimentId, {
    status: 'running',
    commit,
    isolation: context.service.runner.isolation,
    startedAt: context.now(),
  });

  const trees: ThrowAwayWorkTree[] = [];
  try {
    const base = await createWorkTree(repository.path, commit, context.service.workRoot);
    trees.push(base);
    let changed: ThrowAwayWorkTree | undefined;
    if (proposal) {
      changed = await createWorkTree(repository.path, commit, context.service.workRoot);
      trees.push(changed);
      await writeChanges(changed.path, proposal.changes);
    }
    const variants = [
      { name: 'base', tree: base, timings: [] as number[] },
      ...(changed ? [{ name: 'proposal', tree: changed, timings: [] as number[] }] : []),
    ];
    for (let run = 1; run <= experiment.runs; run++) {
      for (const variant of variants) {
        const { results } = await runChecks(context.service, {
          repositoryPath: repository.path,
          workTree: variant.tree.path,
          commands: [experiment.command],
          signal: context.signal,
        });
        const result = results[0]!;
        if (result.exit_code !== 0) {
          const error = failureMessage(variant.name, run, result);
          const failed = await updateExperiment(orm, experimentId, {
            status: 'failed',
            error,
            finishedAt: context.now(),
          });
          if (failed) await attachExperimentToProposal(orm, failed, context.signal);
          return { experiment_id: experimentId, status: 'failed', error };
        }
        variant.timings.push(result.duration_ms);
      }
      await context.log(`run ${run}/${experiment.runs} done`);
    }
    const baseTimings = variants[0]!.timings;
    const proposalTimings = variants[1]?.timings ?? [];
    const baseSummary = summariseTimings(baseTimings);
    const proposalSummary = summariseTimings(proposalTimings);
    const ratio =
      baseSummary && proposalSummary && baseSummary.median > 0
        ? Math.round((proposalSummary.median / baseSummary.median) * 1000) / 1000
        : null;
    const succeeded = await updateExperiment(orm, experimentId, {
      status: 'succeeded',
      baseTimingsMs: baseTimings,
      proposalTimingsMs: proposalTimings,
      baseSummary,
      proposalSummary,
      ratio,
      finishedAt: context.now(),
    });
    // a proposal's performance claim carries its measurement (test_results.experiment)
    if (succeeded) await attachExperimentToProposal(orm, succeeded, context.signal);
    return { experiment_id: experimentId, status: 'succeeded', base: baseSummary, proposal: proposalSummary, ratio };
  } finally {
    for (const tree of trees) await tree.dispose();
  }
}
