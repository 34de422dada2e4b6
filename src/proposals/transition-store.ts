import { and, eq, inArray } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals, proposalTransitions } from '../db/schema.js';
import { ALLOWED_FROM, type ProposalStatus } from './states.js';

export type Proposal = typeof proposals.$inferSelect;

/** No proposal has the id. `field`, when set, names the request field that named it. */
export class ProposalNotFoundError extends Error {
  readonly code = 'proposal_not_found';
  constructor(
    readonly proposalId: string,
    readonly field?: string,
  ) {
    super(`No proposal ${proposalId}`);
    this.name = 'ProposalNotFoundError';
  }
}

export class IllegalTransitionError extends Error {
  readonly code = 'illegal_transition';
  constructor(
    readonly proposalId: string,
    readonly current: ProposalStatus,
    readonly target: ProposalStatus,
  ) {
    super(`Proposal ${proposalId} is ${current}; it cannot become ${target}.`);
  }
}

export interface TransitionRequest {
  readonly to: ProposalStatus;
  readonly actor: string;
  readonly reason?: string | undefined;
  readonly note?: string | undefined;
  /** columns written in the same statement, e.g. the review verdict or the applied commit */
  readonly set?: Partial<typeof proposals.$inferInsert>;
  /** narrower than the state machine allows, e.g. only from `accepted` */
  readonly onlyFrom?: readonly ProposalStatus[];
  /** when the change happens (the row's updated_at), from the caller's clock; the real clock when not given */
  readonly at?: Date | undefined;
}

/**
 * Moves a proposal to another state. The row is locked first (SELECT … FOR UPDATE), so concurrent
 * requests on one proposal queue behind each other; the first moves it and every later one then reads
 * the new state and gets IllegalTransitionError naming it. The UPDATE repeats the state check in its
 * WHERE clause, so even without the lock no illegal change could be written. The history row is
 * written in the same transaction: exactly one per change that happened.
 */
export async function transitionProposal(orm: Orm, proposalId: string, request: TransitionRequest): Promise<Proposal> {
  return orm.transaction(async (transaction) => {
    const from = request.onlyFrom ?? ALLOWED_FROM[request.to];
    const [current] = await transaction
      .select({ status: proposals.status })
      .from(proposals)
      .where(eq(proposals.id, proposalId))
      .for('update');
    if (!current) throw new ProposalNotFoundError(proposalId);
    const currentStatus = current.status as ProposalStatus;
    if (!from.includes(currentStatus)) throw new IllegalTransitionError(proposalId, currentStatus, request.to);
    const [updated] = await transaction
      .update(proposals)
      .set({ ...request.set, status: request.to, updatedAt: request.at ?? new Date() })
      .where(and(eq(proposals.id, proposalId), inArray(proposals.status, [...from])))
      .returning();
    if (!updated) throw new IllegalTransitionError(proposalId, currentStatus, request.to);
    await transaction.insert(proposalTransitions).values({
      proposalId,
      fromStatus: currentStatus,
      toStatus: request.to,
      actor: request.actor,
      reason: request.reason ?? null,
      note: request.note ?? null,
    });
    return updated;
  });
}
