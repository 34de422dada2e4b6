import type { Database } from '../db/database.js';
import { createListeners, type EventBus } from './bus.js';
import { pruneEvents, readEvent, recordEvent } from './event-store.js';
import { createEventFanOut, type FanOutTransport } from './fan-out.js';

export interface StoredEventBus extends EventBus {
  /** Deletes events older than the retention window; returns how many went. */
  prune(): Promise<number>;
  /** Starts delivering the events of other processes to this one's subscribers (with a transport). */
  start(): Promise<void>;
  /** Stops hearing other processes; events published here still reach them. */
  stop(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 60_000;

/**
 * A bus that records every event in the `events` table before delivering it, so that clients can replay
 * what they missed. The stored id is the event id. Old events are pruned at most once a minute, on publish.
 * With a transport, each event also goes to the other processes on the same database, whose subscribers
 * get it once; this process's subscribers get it directly, never back through the transport.
 */
export function createStoredEventBus(options: {
  database: Database;
  retentionSeconds: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
  /** how events reach other processes (none: this process only) */
  transport?: FanOutTransport | undefined;
  /** why fan-out failed (default: onError) */
  onFanOutError?: (error: unknown) => void;
}): StoredEventBus {
  const { database, retentionSeconds } = options;
  const now = options.now ?? (() => new Date());
  const listeners = createListeners();
  const onFanOutError = options.onFanOutError ?? options.onError ?? (() => undefined);
  const fanOut =
    options.transport &&
    createEventFanOut({
      transport: options.transport,
      readEvent: (id) => readEvent(database.orm, id),
      deliver: listeners.deliver,
      onError: onFanOutError,
    });
  let lastPrunedAt = 0;

  const prune = () => pruneEvents(database.orm, new Date(now().getTime() - retentionSeconds * 1000));

  return {
    async publish(input) {
      const event = await recordEvent(database.orm, input, now());
      listeners.deliver(event);
      // The event is committed, so failing to tell other processes must not fail the publisher; their
      // clients catch up from the stored log.
      await fanOut?.publish(event).catch(onFanOutError);
      if (Date.now() - lastPrunedAt >= PRUNE_INTERVAL_MS) {
        lastPrunedAt = Date.now();
        prune().catch((error: unknown) => options.onError?.(error));
      }
      return event;
    },
    subscribe: listeners.subscribe,
    prune,
    start: async () => fanOut?.start(),
    stop: async () => fanOut?.stop(),
  };
}
