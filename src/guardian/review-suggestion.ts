import type { Orm } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { publishGuardianEvent } from './guardian-events.js';
import { SuggestionRefusedError } from './suggestion-refused-error.js';
import { findSuggestion, reviewSuggestion, type GuardianSuggestion } from './suggestion-store.js';

export interface SuggestionReviewDependencies {
  readonly orm: Orm;
  readonly events: EventBus;
  readonly now: () => Date;
  readonly log: { error(details: object, message: string): void };
}

/** The stored suggestion; 404 `not_found` when there is none. */
export async function getSuggestion(orm: Orm, id: string): Promise<GuardianSuggestion> {
  const row = await findSuggestion(orm, id);
  if (!row) throw new SuggestionRefusedError('not_found', `No suggestion ${id}.`);
  return row;
}

export const notPending = (row: GuardianSuggestion) =>
  new SuggestionRefusedError('suggestion_not_pending', `Suggestion ${row.id} is ${row.status}, not pending.`, {
    current_status: row.status,
  });

/** What the `guardian` topic says of a reviewed suggestion. */
export const suggestionEventData = (row: GuardianSuggestion) => ({
  id: row.id,
  repository_id: row.repositoryId,
  rule_id: row.ruleId,
  severity: row.severity,
  status: row.status,
  proposal_id: row.proposalId,
});

/**
 * Rejects or ignores a pending suggestion, recording the reason, the reviewer and the time, and announces
 * it; a suggestion that is not pending (any more) is refused with its current status.
 */
export async function recordVerdict(
  dependencies: SuggestionReviewDependencies,
  id: string,
  verdict: {
    readonly status: 'rejected' | 'ignored';
    readonly reviewer: string;
    readonly reason: string;
    readonly note?: string | undefined;
  },
): Promise<GuardianSuggestion> {
  const { orm, events, now, log } = dependencies;
  const reviewed = await reviewSuggestion(orm, id, { ...verdict, now: now() });
  if (!reviewed) throw notPending(await getSuggestion(orm, id));
  await publishGuardianEvent(events, `guardian.suggestion_${verdict.status}`, suggestionEventData(reviewed), log);
  return reviewed;
}
