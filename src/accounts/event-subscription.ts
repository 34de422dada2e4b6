import type { Principal } from './principal.js';
import type { Orm } from '../db/database.js';
import type { DomainEvent } from '../events/bus.js';
import { readEventsAfter } from '../events/event-store.js';
import { mayRead } from './topic-access.js';
import { TOPICS } from '../events/topics.js';

const REPLAY_PAGE_SIZE = 500;

/** A subscription refused: a topic that does not exist (`unknown_topic`) or one the caller may not read. */
export class SubscriptionRefusedError extends Error {
  constructor(
    readonly code: 'unknown_topic' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'SubscriptionRefusedError';
  }
}

/**
 * The canonical topics a caller subscribes to: those requested, or every topic without an id it may read.
 * A topic it may not read, an unknown one, or none at all is SubscriptionRefusedError.
 */
export function subscriptionTopics(principal: Principal, requested: readonly string[] | undefined): string[] {
  const topics: string[] = [];
  for (const topic of requested ?? TOPICS.filter((candidate) => mayRead(principal, candidate).allowed)) {
    const verdict = mayRead(principal, topic);
    if (!verdict.allowed) throw new SubscriptionRefusedError(verdict.code, verdict.detail);
    topics.push(verdict.topic);
  }
  if (topics.length === 0)
    throw new SubscriptionRefusedError('forbidden', `${principal.label} may not read any topic.`);
  return topics;
}

/**
 * The stored events of the topics after `afterId` and since `since` (the retention window), oldest first,
 * read a page at a time; the caller stops reading by leaving the loop.
 */
export async function* replayEvents(
  orm: Orm,
  options: { readonly afterId: number; readonly topics: readonly string[]; readonly since: Date },
): AsyncGenerator<DomainEvent[]> {
  let afterId = options.afterId;
  for (;;) {
    const page = await readEventsAfter(orm, { ...options, afterId, limit: REPLAY_PAGE_SIZE });
    yield page;
    if (page.length < REPLAY_PAGE_SIZE) return;
    afterId = Number(page.at(-1)!.id);
  }
}
