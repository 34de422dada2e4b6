import { and, inArray, lte } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals } from '../db/schema.js';
import { OPEN_STATUSES } from './states.js';
import { IllegalTransitionError, transitionProposal, type Proposal } from './transition-store.js';

/** Moves every open proposal whose time is up to `expired`; answers the ones it moved. */
export async function expireProposals(orm: Orm, now: Date): Promise<Proposal[]> {
  const due = await orm
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(inArray(proposals.status, [...OPEN_STATUSES]), lte(proposals.expiresAt, now)));
  const expired: Proposal[] = [];
  for (const { id } of due) {
    try {
      expired.push(await transitionProposal(orm, id, { to: 'expired', actor: 'system', reason: 'ttl', at: now }));
    } catch (error) {
      // Reviewed or applied between the scan and now: it is no longer open, which is fine.
      if (!(error instanceof IllegalTransitionError)) throw error;
    }
  }
  return expired;
}
