import type { Orm } from '../db/database.js';
import { findAgentByName, insertTask } from '../tasks/task-store.js';
import { SANDBOX_TASK } from './sandbox-limits.js';

/**
 * Queues the sandbox run of a new proposal inside the transaction that creates it, so the proposal exists
 * exactly when its test is queued. The idempotency key makes a proposal's automatic run happen once.
 */
export async function enqueueProposalTest(transaction: Orm, proposal: { id: string; createdBy: string | null }) {
  const agent = await findAgentByName(transaction, 'sandbox');
  if (!agent) return undefined;
  const { task } = await insertTask(transaction, {
    agent,
    input: { proposal_id: proposal.id },
    trigger: 'event',
    maxAttempts: SANDBOX_TASK.maxAttempts,
    timeoutSeconds: SANDBOX_TASK.timeoutSeconds,
    idempotencyKey: `sandbox:proposal:${proposal.id}`,
    createdBy: proposal.createdBy ?? undefined,
  });
  return task;
}
