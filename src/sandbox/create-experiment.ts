import type { Orm } from '../db/database.js';
import { AgentNotRegisteredError } from '../tasks/task-queue.js';
import { findAgentByName, insertTask, type TaskRow, type TaskTrigger } from '../tasks/task-store.js';
import {
  experimentsToReattach,
  insertExperiment,
  isTaskRunning,
  newestExperimentOfTask,
  setExperimentTask,
  setProposalExperiment,
} from './experiment-queries.js';
import type { SandboxExperiment } from './experiment-store.js';
import { SANDBOX_TASK } from './sandbox-limits.js';

export interface NewExperiment {
  readonly repositoryId: string;
  readonly proposalId?: string | null | undefined;
  readonly command: string;
  readonly runs: number;
  readonly createdBy: string;
  readonly trigger: TaskTrigger;
  /** the sandbox task's idempotency key: a repeat answers the experiment created first, `created: false` */
  readonly idempotencyKey?: string | undefined;
}

/** Thrown inside the transaction to roll the new experiment back when its task existed already. */
class ExistingTask extends Error {
  constructor(readonly task: TaskRow) {
    super('an experiment with this idempotency key exists');
  }
}

/**
 * Stores an experiment and queues the sandbox task that runs it, in one transaction: the experiment exists
 * exactly when its task does. Used by `POST /sandbox/experiments` and by Imperium for performance claims.
 * The caller announces the task once this has committed (`created`).
 */
export async function createExperiment(
  orm: Orm,
  request: NewExperiment,
): Promise<{ experiment: SandboxExperiment; task: TaskRow; created: boolean }> {
  try {
    return await orm.transaction(async (transaction) => {
      const agent = await findAgentByName(transaction, 'sandbox');
      if (!agent) throw new AgentNotRegisteredError('sandbox');
      const created = await insertExperiment(transaction, {
        repositoryId: request.repositoryId,
        proposalId: request.proposalId ?? null,
        command: request.command,
        runs: request.runs,
        createdBy: request.createdBy,
      });
      const queued = await insertTask(transaction, {
        agent,
        input: { experiment_id: created.id },
        trigger: request.trigger,
        maxAttempts: SANDBOX_TASK.maxAttempts,
        timeoutSeconds: SANDBOX_TASK.timeoutSeconds,
        idempotencyKey: request.idempotencyKey,
        createdBy: request.createdBy,
      });
      if (!queued.created) throw new ExistingTask(queued.task);
      const withTask = await setExperimentTask(transaction, created.id, queued.task.id);
      return { experiment: withTask, task: queued.task, created: true };
    });
  } catch (error) {
    if (!(error instanceof ExistingTask)) throw error;
    const existing = await newestExperimentOfTask(orm, error.task.id);
    if (!existing) throw new Error(`The task ${error.task.id} of an existing experiment has no experiment.`);
    return { experiment: existing, task: error.task, created: false };
  }
}

/** What a proposal's `test_results.experiment` holds once its experiment finished. */
export function experimentSummary(experiment: SandboxExperiment): Record<string, unknown> {
  return {
    id: experiment.id,
    command: experiment.command,
    status: experiment.status,
    ratio: experiment.ratio,
    base: experiment.baseSummary,
    proposal: experiment.proposalSummary,
    error: experiment.error,
    finished_at: experiment.finishedAt?.toISOString() ?? null,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Attaches a finished experiment to its proposal: `test_results.experiment` = {id, ratio, base, proposal, …},
 * merged into whatever Sandbox stored there. Sandbox's verdict replaces `test_results` when it is written, so
 * while the proposal's own sandbox test is *running* this waits for it (a running task needs no slot, so the
 * wait cannot deadlock; it ends with that task's timeout at the latest). A test still queued is not waited
 * for (it might need the very slot this holds); `reattachExperiments` repairs such a late overwrite.
 */
export async function attachExperimentToProposal(
  orm: Orm,
  experiment: SandboxExperiment,
  signal: AbortSignal,
): Promise<boolean> {
  if (!experiment.proposalId) return false;
  for (;;) {
    const testRunning = await isTaskRunning(orm, `sandbox:proposal:${experiment.proposalId}`);
    if (!testRunning || signal.aborted) break;
    await sleep(500, signal);
  }
  return setProposalExperiment(orm, experiment.proposalId, experimentSummary(experiment));
}

/**
 * Attaches finished experiments whose proposal lost (or never got) them in `test_results` — a Sandbox
 * verdict written after the experiment replaces the whole object. Run by every learning cycle.
 */
export async function reattachExperiments(orm: Orm, repositoryId?: string): Promise<number> {
  const finished = await experimentsToReattach(orm, repositoryId);
  let attached = 0;
  for (const row of finished) {
    const summary = experimentSummary(row.sandbox_experiments);
    if (await setProposalExperiment(orm, row.proposals.id, summary)) attached += 1;
  }
  return attached;
}
