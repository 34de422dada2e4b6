import { z } from 'zod';
import { runLearningCycle } from '../../learning/retrain.js';
import { reattachExperiments } from '../../sandbox/create-experiment.js';
import { defineAgent, type TaskContext } from '../../tasks/agent-definition.js';
import { collectResults } from '../../learning/collect-queries.js';

/** Its own schedule: a daily full retrain, also when no learning cycle runs (Imperium's schedule off). */
export const LEARNING_INTERVAL_SECONDS = 24 * 3600;

export const learningInput = z
  .object({
    cycle_id: z.uuid().optional().describe('the learning cycle (its Imperium task) this run is a step of'),
    repository_id: z
      .uuid()
      .optional()
      .describe('collect the results of one repository (the model is trained on every verdict either way)'),
    since: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('collect what was stored from this time on (the previous cycle); everything when left out'),
    seed: z.number().int().min(0).max(2_147_483_647).optional().describe('training order seed (default 1)'),
  })
  .strict();

export type LearningInput = z.infer<typeof learningInput>;

/**
 * Collection and metrics update of the learning cycle as a task: reads what Guardian, Sandbox and the
 * reviewers stored since `since`, attaches finished experiments their proposals lost, and runs the full
 * retrain of `POST /learning/trigger` (events backfilled, model version trained and measured, suppressions,
 * agents' XP and levels recomputed, open proposals rescored).
 */
async function runLearning(context: TaskContext<LearningInput>): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const since = context.input.since ? new Date(context.input.since) : undefined;
  const collected = await collectResults(orm, { since, repositoryId: context.input.repository_id });
  await context.log(
    'info',
    `collected since ${collected.since ?? 'the beginning'}: sandbox verdicts ${JSON.stringify(collected.sandbox_verdicts)}, ` +
      `reviews ${JSON.stringify(collected.verdicts)}, new Guardian suggestions ${JSON.stringify(collected.guardian.new_suggestions)}`,
  );
  await context.progress(30);
  context.signal.throwIfAborted();
  const experimentsAttached = await reattachExperiments(orm, context.input.repository_id);
  const retrain = await runLearningCycle(orm, { now: new Date(), seed: context.input.seed });
  await context.log(
    'info',
    retrain.model
      ? `model version ${retrain.model.version} trained on ${retrain.model.trained_on} verdict(s); ` +
          `${retrain.rescored_proposals} proposal(s) rescored`
      : 'no verdicts yet: no model trained; agent progress recomputed',
  );
  return { kind: 'learning_cycle', collected, experiments_attached: experimentsAttached, ...retrain };
}

export const learningAgent = defineAgent({
  type: 'learning',
  description:
    'Collects stored results (verdicts, Sandbox runs, Guardian suggestions) and retrains the acceptance model, ' +
    "suppressions and agents' XP: the metrics step of the learning cycle.",
  inputSchema: learningInput,
  defaultIntervalSeconds: () => LEARNING_INTERVAL_SECONDS,
  // one retrain at a time (they take the learning lock anyway)
  concurrency: 1,
  timeoutSeconds: 600,
  maxAttempts: 3,
  run: runLearning,
});
