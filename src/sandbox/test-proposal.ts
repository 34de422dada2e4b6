import type { Database } from '../db/database.js';
import type { SandboxCommandResult } from '../db/schema.js';
import type { EventBus } from '../events/bus.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { IllegalTransitionError, transitionProposal, type Proposal } from '../proposals/transition-store.js';
import { findProposal } from '../proposals/proposal-store.js';
import { recordTestOutcome } from '../learning/learning-event-store.js';
import { findRepository, type Repository } from '../repositories/repository-store.js';
import { TaskFailure } from '../tasks/task-errors.js';
import { checksKey, repositoryChecks } from './checks.js';
import { runChecks, type CheckRun } from './run-checks.js';
import { findBaseline, storeBaseline, storeProposalRun, type SandboxRun } from './run-store.js';
import type { SandboxService } from './sandbox-service.js';
import { compareWithBaseline, statusForVerdict } from './verdict.js';
import { createWorkTree, writeChanges, type ThrowAwayWorkTree } from './work-tree.js';

export interface ProposalTestContext {
  readonly database: Database;
  readonly events: EventBus;
  readonly service: SandboxService;
  readonly signal: AbortSignal;
  readonly taskId: string;
  readonly log: (message: string) => Promise<void>;
  readonly now: () => Date;
  readonly logger: { error(details: object, message: string): void };
}

const ACTOR = 'agent:sandbox';

/** A work tree of `commit`, with `changes` written into it when given; disposed of by the caller. */
async function prepareWorkTree(
  context: ProposalTestContext,
  repository: Repository,
  commit: string,
  changes: readonly { file_path: string; code_after: string }[] | undefined,
): Promise<ThrowAwayWorkTree> {
  const workTree = await createWorkTree(repository.path, commit, context.service.workRoot);
  try {
    if (changes) await writeChanges(workTree.path, changes);
    return workTree;
  } catch (error) {
    await workTree.dispose();
    throw error;
  }
}

async function runInWorkTree(
  context: ProposalTestContext,
  repository: Repository,
  prepared: Promise<ThrowAwayWorkTree>,
  commands: readonly string[],
): Promise<{ run: CheckRun; startedAt: Date; finishedAt: Date }> {
  const startedAt = context.now();
  const workTree = await prepared;
  const run = await runChecks(context.service, {
    repositoryPath: repository.path,
    workTree: workTree.path,
    commands,
    signal: context.signal,
  });
  return { run, startedAt, finishedAt: context.now() };
}

function timing(started: number, run: CheckRun) {
  const durationMs = Math.round(performance.now() - started);
  return { durationMs, overheadMs: Math.max(0, Math.round(durationMs - run.commandsMs)) };
}

function summary(results: readonly SandboxCommandResult[], baseline: readonly SandboxCommandResult[]) {
  const baseByCommand = new Map(baseline.map((result) => [result.command, result]));
  return results.map((result) => ({
    command: result.command,
    exit_code: result.exit_code,
    duration_ms: result.duration_ms,
    limit: result.limit,
    baseline_exit_code: baseByCommand.get(result.command)?.exit_code ?? null,
  }));
}

/**
 * The sandbox's verdict on one proposal: its base commit's checks (a baseline computed once per commit
 * and command list), the same checks with the change applied, and the comparison of the two. The
 * proposal moves pending → testing → test-passed | test-failed; only a failure the change caused
 * (`regression`) fails it.
 */
export async function testProposal(context: ProposalTestContext, proposalId: string): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const proposal = await findProposal(orm, proposalId);
  if (!proposal) throw new TaskFailure('proposal_not_found', `No proposal ${proposalId}.`, false);
  if (!proposal.repositoryId) return { proposal_id: proposalId, skipped: 'the proposal belongs to no repository' };
  if (proposal.status !== 'pending' && proposal.status !== 'testing') {
    return { proposal_id: proposalId, skipped: `the proposal is ${proposal.status}` };
  }
  const repository = await findRepository(orm, proposal.repositoryId);
  if (!repository) throw new TaskFailure('repository_not_found', `No repository ${proposal.repositoryId}.`, false);
  if (!proposal.baseCommit) return { proposal_id: proposalId, skipped: 'the proposal has no base commit' };
  const commit = proposal.baseCommit;
  // The change's work tree is made while the checks are looked up and the state and baseline are read:
  // checking out is most of the sandbox's own cost, and none of those steps depends on it.
  const begun = performance.now();
  const preparedTree = prepareWorkTree(context, repository, commit, proposal.changes);
  preparedTree.catch(() => undefined);
  try {
    return await testInWorkTree(context, proposal, repository, commit, preparedTree, begun);
  } finally {
    const tree = await preparedTree.catch(() => undefined);
    await tree?.dispose();
  }
}

async function testInWorkTree(
  context: ProposalTestContext,
  proposal: Proposal,
  repository: Repository,
  commit: string,
  preparedTree: Promise<ThrowAwayWorkTree>,
  begun: number,
): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const proposalId = proposal.id;
  const checks = await repositoryChecks(repository, commit);
  if (checks.commands.length === 0) return { proposal_id: proposalId, skipped: 'the repository has no checks' };

  let testing: Proposal = proposal;
  if (proposal.status === 'pending') {
    try {
      testing = await transitionProposal(orm, proposalId, { to: 'testing', actor: ACTOR });
    } catch (error) {
      // A reviewer decided first: the verdict is theirs, the test run is moot.
      if (error instanceof IllegalTransitionError) return { proposal_id: proposalId, skipped: error.message };
      throw error;
    }
    await publishProposalEvent(context.events, 'testing', testing, context.logger);
  }

  const key = checksKey(checks.commands);
  const isolation = context.service.runner.isolation;
  let baseline: SandboxRun | undefined = await findBaseline(orm, {
    repositoryId: repository.id,
    commit,
    checksKey: key,
  });
  if (baseline) {
    await context.log(`baseline for ${commit.slice(0, 12)} reused (${baseline.status})`);
  } else {
    await context.log(`running the baseline on ${commit.slice(0, 12)}: ${checks.commands.join(' && ')}`);
    const started = performance.now();
    const baseTree = prepareWorkTree(context, repository, commit, undefined);
    const base = await runInWorkTree(context, repository, baseTree, checks.commands).finally(async () => {
      const tree = await baseTree.catch(() => undefined);
      await tree?.dispose();
    });
    baseline = await storeBaseline(orm, {
      repositoryId: repository.id,
      commit,
      checksKey: key,
      commands: [...checks.commands],
      status: base.run.passed ? 'passed' : 'failed',
      isolation,
      results: base.run.results,
      taskId: context.taskId,
      ...timing(started, base.run),
      startedAt: base.startedAt,
      finishedAt: base.finishedAt,
    });
  }

  await context.log(`running the checks with the change applied (${proposal.changes.length} file(s))`);
  const changed = await runInWorkTree(context, repository, preparedTree, checks.commands);
  // Removing the tree overlaps with storing the results; the caller's clean-up awaits it.
  void (await preparedTree).dispose().catch(() => undefined);
  const run = await storeProposalRun(orm, {
    repositoryId: repository.id,
    proposalId,
    commit,
    checksKey: key,
    commands: [...checks.commands],
    status: changed.run.passed ? 'passed' : 'failed',
    isolation,
    results: changed.run.results,
    taskId: context.taskId,
    // from the start of the test (the change's work tree is made from then on) to its checks' end
    ...timing(begun, changed.run),
    startedAt: changed.startedAt,
    finishedAt: changed.finishedAt,
  });

  const comparison = compareWithBaseline(baseline.results, run.results);
  const testResults = {
    verdict: comparison.verdict,
    regressions: comparison.regressions,
    fixed: comparison.fixed,
    isolation,
    commit,
    checks_source: checks.source,
    run_id: run.id,
    baseline_run_id: baseline.id,
    checks: summary(run.results, baseline.results),
    finished_at: run.finishedAt.toISOString(),
  };
  const status = statusForVerdict(comparison.verdict);
  try {
    const finished = await transitionProposal(orm, proposalId, {
      to: status,
      actor: ACTOR,
      note: `sandbox verdict: ${comparison.verdict}`,
      set: { testResults },
    });
    await recordTestOutcome(orm, finished);
    await publishProposalEvent(
      context.events,
      status === 'test-passed' ? 'test_passed' : 'test_failed',
      finished,
      context.logger,
    );
  } catch (error) {
    // Expired or superseded while the checks ran: the run is stored, the proposal's state is not ours to set.
    if (!(error instanceof IllegalTransitionError)) throw error;
    await context.log(`result not applied: ${error.message}`);
  }
  await context.log(`verdict: ${comparison.verdict}`);
  return {
    proposal_id: proposalId,
    verdict: comparison.verdict,
    status,
    run_id: run.id,
    baseline_run_id: baseline.id,
    isolation,
  };
}
