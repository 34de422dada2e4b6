import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { giveUp } from '../../sandbox/give-up.js';
import { runExperiment } from '../../sandbox/run-experiment.js';
import { SANDBOX_TASK } from '../../sandbox/sandbox-limits.js';
import { SandboxUnavailableError } from '../../sandbox/isolation/index.js';
import { sandboxService, type SandboxService } from '../../sandbox/sandbox-service.js';
import { testOutstandingProposals } from '../../sandbox/test-outstanding.js';
import { testProposal } from '../../sandbox/test-proposal.js';
import { asTaskFailure, TaskFailure } from '../../tasks/task-errors.js';
import { defineAgent, type TaskContext } from '../../tasks/agent-definition.js';
import { repositoryInput } from '../../repositories/repository-inventory.js';

const sandboxInput = z.union([
  z.object({ proposal_id: z.uuid().describe('test one proposal') }).strict(),
  z.object({ experiment_id: z.uuid().describe('run one experiment') }).strict(),
  repositoryInput.describe('test the open proposals that have no sandbox result yet'),
]);

type SandboxInput = z.infer<typeof sandboxInput>;

const consoleLogger = { error: (details: object, message: string) => console.error(message, details) };

/**
 * The sandbox, or a failure that is not retried when there is none: nothing runs a proposal's code
 * unisolated unless SANDBOX_MODE=process was chosen. A proposal stays pending (the scheduled run tests
 * it once the sandbox works); an experiment fails with the reason.
 */
async function availableSandbox(context: TaskContext<SandboxInput>): Promise<SandboxService> {
  try {
    return await sandboxService(context.config);
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error;
    const fix = error.fix ? ` Fix: ${error.fix}.` : '';
    throw new TaskFailure('sandbox_unavailable', `The sandbox is unavailable: ${error.message}.${fix}`, false);
  }
}

async function run(context: TaskContext<SandboxInput>): Promise<Record<string, unknown>> {
  const input = context.input;
  try {
    const service = await availableSandbox(context);
    const shared = {
      database: context.database,
      service,
      signal: context.signal,
      log: (message: string) => context.log('info', message),
      now: () => new Date(),
    };
    if ('proposal_id' in input) {
      return await testProposal(
        { ...shared, events: context.events, taskId: context.task.id, logger: consoleLogger },
        input.proposal_id,
      );
    }
    if ('experiment_id' in input) return await runExperiment(shared, input.experiment_id);
    return await testOutstandingProposals(
      { ...shared, events: context.events, taskId: context.task.id, logger: consoleLogger },
      input.repository_id,
    );
  } catch (error) {
    const failure = asTaskFailure(error);
    const final = !failure.retryable || context.task.attempt >= SANDBOX_TASK.maxAttempts || context.signal.aborted;
    if (final && ('proposal_id' in input || 'experiment_id' in input)) {
      await giveUp(
        { database: context.database, events: context.events, logger: consoleLogger },
        input,
        failure.message,
        new Date(),
      );
    }
    throw error;
  }
}

export const sandboxAgent = defineAgent({
  type: 'sandbox',
  description: 'Builds and tests every proposed change in isolation before a person sees it.',
  inputSchema: sandboxInput,
  defaultIntervalSeconds: (config) => config.intervals.sandboxExperiment,
  concurrency: Math.max(1, availableParallelism()),
  timeoutSeconds: SANDBOX_TASK.timeoutSeconds,
  maxAttempts: SANDBOX_TASK.maxAttempts,
  run,
});
