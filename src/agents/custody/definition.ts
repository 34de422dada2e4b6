import { z } from 'zod';
import { agentLevel, findCustodyTestOfTask, storeCustodyTest } from '../../custody/custody-store.js';
import { seedFromText } from '../../custody/random.js';
import { MAX_SEED, runCustodyTest } from '../../custody/run-custody.js';
import { CUSTODY_AGENT_TYPES, type CustodyAgentType } from '../../custody/types.js';
import { DIFFICULTIES, difficultyFor } from '../../learning/xp.js';
import { TaskFailure } from '../../tasks/task-errors.js';
import { findTask } from '../../tasks/task-store.js';
import { defineAgent, type TaskContext } from '../../tasks/agent-definition.js';

export const custodyInput = z
  .object({
    agent_type: z
      .enum(CUSTODY_AGENT_TYPES)
      .optional()
      .describe('the agent to test; every testable agent (guardian, imperium, sandbox) when left out'),
    difficulty: z
      .enum(DIFFICULTIES)
      .optional()
      .describe("the cases' difficulty; each agent's own (from its level) when left out"),
    seed: z
      .number()
      .int()
      .min(0)
      .max(MAX_SEED)
      .optional()
      .describe(
        "the generators' seed: the same seed and difficulty give the same cases; from the period (or task) when left out",
      ),
  })
  .strict();

export type CustodyInput = z.infer<typeof custodyInput>;

/**
 * The seed of a task that names none: from its schedule period's key (`schedule:custody:<period start>`),
 * so a period's test is reproducible, or else from the task id.
 */
async function defaultSeed(context: TaskContext<CustodyInput>): Promise<number> {
  const task = await findTask(context.database.orm, context.task.id);
  return seedFromText(task?.idempotencyKey ?? context.task.id);
}

async function run(context: TaskContext<CustodyInput>): Promise<Record<string, unknown>> {
  const { orm } = context.database;
  const agentTypes: readonly CustodyAgentType[] = context.input.agent_type
    ? [context.input.agent_type]
    : CUSTODY_AGENT_TYPES;
  const seed = context.input.seed ?? (await defaultSeed(context));
  const tests: Record<string, unknown>[] = [];
  const errors: { agent_type: string; message: string }[] = [];
  for (const [index, agentType] of agentTypes.entries()) {
    // a retried attempt keeps what an earlier attempt of this task stored
    const stored =
      (await findCustodyTestOfTask(orm, context.task.id, agentType)) ??
      (await (async () => {
        const difficulty = context.input.difficulty ?? difficultyFor(await agentLevel(orm, agentType));
        await context.log('info', `custody test of ${agentType} at ${difficulty}, seed ${seed}`);
        try {
          const outcome = await runCustodyTest(
            { agentType, difficulty, seed },
            { config: context.config, compute: context.compute, signal: context.signal },
          );
          const { row } = await storeCustodyTest(orm, outcome, {
            taskId: context.task.id,
            trigger: context.task.trigger,
          });
          return row;
        } catch (error) {
          if (context.signal.aborted) throw error;
          const message = error instanceof Error ? error.message : String(error);
          errors.push({ agent_type: agentType, message: message.slice(0, 500) });
          await context.log('error', `custody test of ${agentType} could not run: ${message}`);
          return undefined;
        }
      })());
    if (stored) {
      await context.log(
        'info',
        `${agentType}: ${stored.passedCases}/${stored.cases} correct, score ${stored.score}, ` +
          `${stored.passed ? 'passed' : 'failed'}, +${stored.xpAwarded} XP`,
      );
      tests.push({
        id: stored.id,
        agent_type: stored.agentType,
        difficulty: stored.difficulty,
        seed: stored.seed,
        cases: stored.cases,
        passed_cases: stored.passedCases,
        score: stored.score,
        passed: stored.passed,
        xp_awarded: stored.xpAwarded,
      });
    }
    await context.progress(Math.round(((index + 1) / agentTypes.length) * 100));
  }
  if (tests.length === 0 && errors.length > 0) {
    throw new TaskFailure('custody_failed', errors.map((error) => `${error.agent_type}: ${error.message}`).join('; '));
  }
  return { kind: 'custody', seed, tests, errors };
}

export const custodyAgent = defineAgent({
  type: 'custody',
  description:
    'Tests the other agents with generated cases of known ground truth at their difficulty; passes earn XP and autonomy.',
  inputSchema: custodyInput,
  defaultIntervalSeconds: (config) => config.intervals.custody,
  concurrency: 1,
  timeoutSeconds: 900,
  maxAttempts: 2,
  run,
});
