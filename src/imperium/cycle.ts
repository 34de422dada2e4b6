import type { DomainEvent } from '../events/bus.js';
import { publishTaskEvent } from '../tasks/task-events.js';
import { TaskCancelledError, TaskFailure } from '../tasks/task-errors.js';
import {
  FINAL_STATUSES,
  findAgentByName,
  findTask,
  insertTask,
  requestCancel,
  type TaskRow,
} from '../tasks/task-store.js';
import type { TaskContext } from '../tasks/agent-definition.js';
import type { ImperiumInput } from './imperium-input.js';
import { findAgent } from '../tasks/task-store.js';
import { previousCycleStart, registerCycle } from './cycle-queries.js';
import { IMPERIUM_ACTOR } from './repository-run.js';

/** One step of the cycle: a task of another agent (or of Imperium itself), run after the previous one. */
interface CycleStep {
  readonly name: string;
  readonly agentType: string;
  readonly input: (cycle: {
    id: string;
    repositoryId: string | undefined;
    since: Date | undefined;
  }) => Record<string, unknown>;
  /** the numbers of its result that the cycle reports */
  readonly summary: readonly string[];
}

const withRepository = (repositoryId: string | undefined) => (repositoryId ? { repository_id: repositoryId } : {});

/**
 * Seed 001, flow 2, in order: Guardian scan → Sandbox runs → collection of results and metrics update
 * (one `learning` task) → proposal generation (an Imperium repository run); the notification is the
 * coordinator's own event at the end.
 */
export const CYCLE_STEPS: readonly CycleStep[] = [
  {
    name: 'guardian_scan',
    agentType: 'guardian',
    input: ({ id, repositoryId }) => ({ ...withRepository(repositoryId), cycle_id: id }),
    summary: ['files_scanned', 'findings', 'new_suggestions', 'resolved'],
  },
  {
    name: 'sandbox_runs',
    agentType: 'sandbox',
    input: ({ id, repositoryId }) => ({ ...withRepository(repositoryId), cycle_id: id }),
    summary: ['tested', 'skipped'],
  },
  {
    name: 'metrics',
    agentType: 'learning',
    input: ({ id, repositoryId, since }) => ({
      ...withRepository(repositoryId),
      cycle_id: id,
      ...(since ? { since: since.toISOString() } : {}),
    }),
    summary: ['collected', 'model', 'suppressed', 'rescored_proposals', 'experiments_attached'],
  },
  {
    name: 'proposals',
    agentType: 'imperium',
    input: ({ id, repositoryId }) => ({ ...withRepository(repositoryId), cycle_id: id, cycle: false }),
    summary: ['files_analysed', 'proposals_created', 'proposals_already_open', 'experiments_created'],
  },
];

/** The limits a step's task is stored with: those of its agent's definition. */
export interface StepLimits {
  readonly maxAttempts: number;
  readonly timeoutSeconds: number;
}

/** Step tasks go before other waiting tasks of their agent: the coordinator holds a worker slot meanwhile. */
export const CYCLE_STEP_PRIORITY = 10;
/** How often a step's task is read while no event about it arrived (events only speed this up). */
const POLL_MS = 1000;

export const cycleStepKey = (cycleId: string, step: string) => `cycle:${cycleId}:${step}`;

interface StepOutcome {
  step: string;
  agent_type: string;
  task_id: string;
  status: string;
  /** a retried coordinator found the step's task from its earlier attempt */
  reused: boolean;
  summary: Record<string, unknown>;
  error: { code: string | null; message: string | null } | null;
}

/**
 * Whether this task is a learning cycle rather than a repository run: `cycle` in the input decides; without
 * it, a scheduled run is a cycle and a manual one a repository run (as before cycles existed).
 */
export function isCycle(context: TaskContext<ImperiumInput>): boolean {
  return context.input.cycle ?? context.task.trigger === 'schedule';
}

/** Resolves on an event about the task's end (or retry), after `ms`, or on abort — whichever comes first. */
function nextWake(context: TaskContext<ImperiumInput>, taskId: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const topic = `tasks/${taskId}`;
    let unsubscribe: () => void = () => undefined;
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      context.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    context.signal.addEventListener('abort', done, { once: true });
    unsubscribe = context.events.subscribe((event: DomainEvent) => {
      if (event.topic === topic && event.type !== 'task.progress' && event.type !== 'task.log') done();
    });
  });
}

/** Waits until the step's task has finished. A step whose agent is paused fails the cycle at once. */
async function waitForStep(context: TaskContext<ImperiumInput>, step: CycleStep, taskId: string): Promise<TaskRow> {
  const { orm } = context.database;
  for (;;) {
    context.signal.throwIfAborted();
    const row = await findTask(orm, taskId);
    if (!row) throw new TaskFailure('cycle_step_failed', `Step ${step.name}: its task ${taskId} is gone.`, false);
    if ((FINAL_STATUSES as readonly string[]).includes(row.status)) return row;
    if (row.status !== 'running') {
      const agent = await findAgent(orm, row.agentId);
      if (agent?.status === 'paused') {
        throw new TaskFailure(
          'cycle_step_blocked',
          `Step ${step.name} cannot start: the ${step.agentType} agent is paused (its task ${taskId} waits ` +
            'and runs once the agent is resumed).',
          false,
        );
      }
    }
    await nextWake(context, taskId, POLL_MS);
  }
}

const log = (context: TaskContext<ImperiumInput>) => ({
  warn: (details: unknown, message: string) => void context.log('warn', `${message}: ${JSON.stringify(details)}`),
});

/**
 * Cancelling the cycle cancels the step it is waiting for: a waiting step at once, a running one through
 * its worker (NOTIFY, or its next lease renewal). A timeout or a shutdown leaves the step alone, because a
 * retried coordinator picks it up again by its key.
 */
async function waitForStepOrCancelIt(
  context: TaskContext<ImperiumInput>,
  step: CycleStep,
  taskId: string,
): Promise<TaskRow> {
  try {
    return await waitForStep(context, step, taskId);
  } catch (error) {
    if (context.signal.reason instanceof TaskCancelledError) {
      const row = await requestCancel(context.database.orm, taskId);
      if (row?.status === 'cancelled') await publishTaskEvent(context.events, 'task.cancelled', row, log(context));
    }
    throw error;
  }
}

function summarise(step: CycleStep, result: Record<string, unknown> | null): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const key of step.summary) if (result && key in result) summary[key] = result[key];
  return summary;
}

async function publishCycleEvent(
  context: TaskContext<ImperiumInput>,
  type: 'imperium.cycle_completed' | 'imperium.cycle_failed',
  data: Record<string, unknown>,
): Promise<void> {
  try {
    await context.events.publish({ type, topic: 'imperium', data });
  } catch (error) {
    await context.log('error', `could not publish ${type}: ${(error as Error).message}`);
  }
}

/**
 * The learning cycle (seed 001, flow 2), coordinated by this Imperium task: each step is a task of its
 * own (visible in /api/v1/tasks, input `cycle_id` = this task's id, idempotency key
 * `cycle:<this id>:<step>`), enqueued when the previous one has succeeded, and waited for. A retried
 * coordinator finds the steps of its earlier attempt by their keys and does not repeat them; a step that
 * fails (or is cancelled) fails the cycle, naming it, and the later steps do not run. At the end the cycle
 * is announced on the `imperium` topic (`imperium.cycle_completed`, or `imperium.cycle_failed`).
 *
 * Waiting holds this task's worker slot and one of Imperium's concurrency slots; see docs/imperium.md
 * ("Learning cycle") for why that cannot deadlock: one cycle runs at a time (`registerCycle`), Imperium
 * allows two tasks at once, and a worker has at least two slots.
 */
export async function runCycle(
  context: TaskContext<ImperiumInput>,
  limitsOf: (agentType: string) => StepLimits | undefined,
): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const cycleId = context.task.id;
  const repositoryId = context.input.repository_id;
  const started = performance.now();

  if (context.database.kind === 'pglite' && context.config.worker.concurrency < 2) {
    throw new TaskFailure(
      'cycle_needs_two_worker_slots',
      'The learning cycle waits for its steps in a worker slot of its own, so the embedded database needs ' +
        'WORKER_CONCURRENCY of at least 2.',
      false,
    );
  }
  const running = await registerCycle(orm, cycleId);
  if (running) {
    await context.log('info', `another learning cycle is running (task ${running}); this one is skipped`);
    return { kind: 'imperium_cycle', cycle_id: cycleId, outcome: 'skipped', running_cycle_id: running, steps: [] };
  }
  const since = await previousCycleStart(orm, cycleId, repositoryId);
  await context.log(
    'info',
    `learning cycle ${cycleId} over ${repositoryId ? `repository ${repositoryId}` : 'every repository'}, ` +
      `collecting since ${since?.toISOString() ?? 'the beginning'}`,
  );

  const outcomes: StepOutcome[] = [];
  const base = {
    cycle_id: cycleId,
    task_id: cycleId,
    repository_id: repositoryId ?? null,
    trigger: context.task.trigger,
    since: since?.toISOString() ?? null,
  };
  for (const [index, step] of CYCLE_STEPS.entries()) {
    context.signal.throwIfAborted();
    const agent = await findAgentByName(orm, step.agentType);
    const limits = limitsOf(step.agentType);
    if (!agent || !limits) {
      throw new TaskFailure('cycle_step_failed', `Step ${step.name}: no ${step.agentType} agent is registered.`, false);
    }
    const queued = await insertTask(orm, {
      agent,
      input: step.input({ id: cycleId, repositoryId, since }),
      trigger: 'event',
      // a step is an ordinary task of its agent, with that agent's limits
      maxAttempts: limits.maxAttempts,
      timeoutSeconds: limits.timeoutSeconds,
      idempotencyKey: cycleStepKey(cycleId, step.name),
      createdBy: IMPERIUM_ACTOR,
      priority: CYCLE_STEP_PRIORITY,
    });
    if (queued.created) await publishTaskEvent(context.events, 'task.queued', queued.task, log(context));
    await context.log(
      'info',
      `step ${index + 1}/${CYCLE_STEPS.length} ${step.name}: ${step.agentType} task ${queued.task.id}` +
        (queued.created ? ' queued' : ` (from an earlier attempt, ${queued.task.status})`),
    );
    const finished = await waitForStepOrCancelIt(context, step, queued.task.id);
    const outcome: StepOutcome = {
      step: step.name,
      agent_type: step.agentType,
      task_id: finished.id,
      status: finished.status,
      reused: !queued.created,
      summary: summarise(step, finished.result),
      error: finished.status === 'succeeded' ? null : { code: finished.errorCode, message: finished.errorMessage },
    };
    outcomes.push(outcome);
    if (finished.status !== 'succeeded') {
      const message =
        `Step ${step.name} (${step.agentType} task ${finished.id}) ${finished.status}` +
        (finished.errorCode ? `: ${finished.errorCode}: ${finished.errorMessage ?? ''}` : '') +
        `; the later steps (${
          CYCLE_STEPS.slice(index + 1)
            .map((later) => later.name)
            .join(', ') || 'none'
        }) did not run.`;
      await context.log('error', message);
      await publishCycleEvent(context, 'imperium.cycle_failed', {
        ...base,
        outcome: 'failed',
        failed_step: step.name,
        steps: outcomes,
      });
      throw new TaskFailure('cycle_step_failed', message, false);
    }
    await context.log('info', `step ${step.name} succeeded: ${JSON.stringify(outcome.summary)}`);
    await context.progress(Math.max(1, Math.floor(((index + 1) / (CYCLE_STEPS.length + 1)) * 100)));
  }

  const proposalStep = outcomes.find((outcome) => outcome.step === 'proposals');
  const result = {
    kind: 'imperium_cycle',
    ...base,
    outcome: 'completed',
    steps: outcomes,
    proposals_created: (proposalStep?.summary.proposals_created as number | undefined) ?? 0,
    experiments_created: (proposalStep?.summary.experiments_created as number | undefined) ?? 0,
    duration_ms: Math.round(performance.now() - started),
  };
  // Notification: committed steps first, then the announcement (a retried attempt may announce twice).
  await publishCycleEvent(context, 'imperium.cycle_completed', result);
  await context.log('info', `learning cycle completed in ${result.duration_ms} ms`);
  await context.progress(100);
  return result;
}
