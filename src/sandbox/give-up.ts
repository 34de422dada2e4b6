import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { IllegalTransitionError, transitionProposal } from '../proposals/transition-store.js';
import { updateExperiment } from './experiment-store.js';

/**
 * When a sandbox task fails for good (its last attempt, a failure not worth retrying, a cancel), what it
 * was working on must not stay `testing` or `running` forever: the proposal becomes test-failed with the
 * verdict `error` and the reason, the experiment becomes failed.
 */
export async function giveUp(
  options: { database: Database; events: EventBus; logger: { error(details: object, message: string): void } },
  input: { proposal_id?: string; experiment_id?: string },
  reason: string,
  now: Date,
): Promise<void> {
  const { orm } = options.database;
  if (input.experiment_id) {
    await updateExperiment(orm, input.experiment_id, { status: 'failed', error: reason, finishedAt: now });
  }
  if (input.proposal_id) {
    try {
      const failed = await transitionProposal(orm, input.proposal_id, {
        to: 'test-failed',
        actor: 'agent:sandbox',
        note: 'the sandbox could not run the checks',
        onlyFrom: ['testing'],
        set: { testResults: { verdict: 'error', error: reason, finished_at: now.toISOString() } },
      });
      await publishProposalEvent(options.events, 'test_failed', failed, options.logger);
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
    }
  }
}
