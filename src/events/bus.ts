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
 * delivery to WebSocket/SSE clients and other processes plugs in behind it.
 */
export interface EventBus {
  publish(event: EventInput): DomainEvent;
  subscribe(listener: (event: DomainEvent) => void): () => void;
}

export function createInProcessEventBus(options: { now?: () => Date; generateId?: () => string } = {}): EventBus {
  const listeners = new Set<(event: DomainEvent) => void>();
  const now = options.now ?? (() => new Date());
  const generateId = options.generateId ?? randomUUID;
  return {
    publish(input) {
      const event: DomainEvent = { ...input, id: generateId(), timestamp: now().toISOString() };
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          // A failing subscriber must not undo or block a committed change; subscribers log their own errors.
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
