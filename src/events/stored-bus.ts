import type { Database } from '../db/database.js';
import { createListeners, type EventBus } from './bus.js';
import { pruneEvents, recordEvent } from './event-log.js';

export interface StoredEventBus extends EventBus {
  /** Deletes events older than the retention window; returns how many went. */
  prune(): Promise<number>;
}

const PRUNE_INTERVAL_MS = 60_000;

/**
 * A bus that records every event in the `events` table before delivering it, so that clients can replay
 * what they missed. The stored id is the event id. Old events are pruned at most once a minute, on publish.
 */
export function createStoredEventBus(options: {
  database: Database;
  retentionSeconds: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}): StoredEventBus {
  const { database, retentionSeconds } = options;
  const now = options.now ?? (() => new Date());
  const listeners = createListeners();
  let lastPrunedAt = 0;

  const prune = () => pruneEvents(database.orm, new Date(now().getTime() - retentionSeconds * 1000));

  return {
    async publish(input) {
      const event = await recordEvent(database.orm, input, now());
      listeners.deliver(event);
      if (Date.now() - lastPrunedAt >= PRUNE_INTERVAL_MS) {
        lastPrunedAt = Date.now();
        prune().catch((error: unknown) => options.onError?.(error));
      }
      return event;
    },
    subscribe: listeners.subscribe,
    prune,
  };
}
