import type { EventBus } from '../events/bus.js';

export type GuardianEventType =
  | 'guardian.scan_completed'
  | 'guardian.suggestion_approved'
  | 'guardian.suggestion_rejected'
  | 'guardian.suggestion_ignored';

/**
 * Announces a stored Guardian change on the `guardian` topic: a repository scan's outcome (counts, not
 * every finding) and each review of a suggestion. The change is committed first; a failure to record the
 * event does not undo it, so it is reported to the caller's log rather than thrown.
 */
export async function publishGuardianEvent(
  events: EventBus,
  type: GuardianEventType,
  data: Record<string, unknown>,
  log?: { error(details: object, message: string): void },
): Promise<void> {
  try {
    await events.publish({ type, topic: 'guardian', data });
  } catch (error) {
    log?.error({ err: error, event: type }, 'could not publish a guardian event');
  }
}
