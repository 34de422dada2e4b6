import { randomUUID } from 'node:crypto';

/** The one event envelope, used in process, across processes and on the wire. */
export interface DomainEvent<Data = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly topic: string;
  readonly data: Data;
  readonly timestamp: string;
}

export type EventInput = Pick<DomainEvent, 'type' | 'topic' | 'data'>;

/**
 * Where state changes are announced, after they are committed. This port has one method for publishers;
 * delivery to WebSocket/SSE clients and other processes plugs in behind it. `publish` resolves once the
 * event is recorded and delivered to this process's subscribers.
 */
export interface EventBus {
  publish(event: EventInput): Promise<DomainEvent>;
  subscribe(listener: (event: DomainEvent) => void): () => void;
}

/** The in-process subscribers of a bus, shared by its implementations. */
export function createListeners() {
  const listeners = new Set<(event: DomainEvent) => void>();
  return {
    deliver: (event: DomainEvent) => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A failing subscriber must not undo or block a committed change; subscribers log their own errors.
        }
      }
    },
    subscribe: (listener: (event: DomainEvent) => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** A bus that keeps nothing: events reach this process's current subscribers only. */
export function createInProcessEventBus(options: { now?: () => Date; generateId?: () => string } = {}): EventBus {
  const listeners = createListeners();
  const now = options.now ?? (() => new Date());
  const generateId = options.generateId ?? randomUUID;
  return {
    publish(input) {
      const event: DomainEvent = { ...input, id: generateId(), timestamp: now().toISOString() };
      listeners.deliver(event);
      return Promise.resolve(event);
    },
    subscribe: listeners.subscribe,
  };
}
