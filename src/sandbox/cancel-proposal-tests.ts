import type { Orm } from '../db/database.js';
import { requestCancel, unfinishedTasksWithInput, type TaskRow } from '../tasks/task-store.js';

/**
 * Requests the cancel of every sandbox task that waits to test, or tests, the proposal — in the caller's
 * transaction, so the cancel commits with the verdict that makes the test moot. Answers the tasks as the
 * cancel left them (`cancelled`, or `running` with the cancel requested) for TaskQueue.announceCancel.
 */
export async function cancelProposalTests(transaction: Orm, proposalId: string): Promise<TaskRow[]> {
  const cancelled: TaskRow[] = [];
  for (const task of await unfinishedTasksWithInput(transaction, 'sandbox', 'proposal_id', proposalId)) {
    const row = await requestCancel(transaction, task.id);
    if (row) cancelled.push(row);
  }
  return cancelled;
}
