import type { Orm } from '../db/database.js';
import { takeTransactionLock } from '../db/transaction-lock.js';

/**
 * Every write of learned state (events, agent progress, the model, suppressions) happens inside a
 * transaction that holds this lock until it commits. Learning writers therefore run one at a time and an
 * event's id order is its commit order, which the incremental updates rely on. Holders never wait for a
 * proposal row lock, so a transition holding one can safely wait here.
 */
export async function takeLearningLock(transaction: Orm): Promise<void> {
  await takeTransactionLock(transaction, 'lvlup:learning');
}
