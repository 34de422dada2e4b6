import { randomUUID } from 'node:crypto';
import type { DomainEvent } from './bus.js';

/**
 * How events travel between the processes sharing one database: a broadcast channel that every process
 * publishes to and hears, its own messages included. Adapters: PostgreSQL LISTEN/NOTIFY and Redis
 * pub/sub (fan-out-transports.ts). Delivery is at most once: a message sent while a process is
 * disconnected is lost to it, and its clients catch up from the stored log (SSE `Last-Event-ID`).
 */
export interface FanOutTransport {
  readonly kind: 'postgres' | 'redis';
  /** The largest message it carries, in bytes; an event whose envelope is bigger travels as its id. */
  readonly maxMessageBytes: number;
  publish(message: string): Promise<void>;
  /** Starts hearing messages; answers the function that stops. */
  subscribe(onMessage: (message: string) => void): Promise<() => Promise<void>>;
}

/** On the wire: the envelope itself, or only its id when the envelope is too big for the transport. */
type WireMessage = { origin: string; event: DomainEvent } | { origin: string; id: string };

export interface EventFanOut {
  /** Hands an event this process recorded and delivered to the other processes. */
  publish(event: DomainEvent): Promise<void>;
  /** Starts delivering the other processes' events to `deliver` (once; later calls do nothing). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEventFanOut(options: {
  transport: FanOutTransport;
  /** reads a recorded event by id, for those that travelled as their id */
  readEvent: (id: string) => Promise<DomainEvent | undefined>;
  /** this process's subscribers */
  deliver: (event: DomainEvent) => void;
  onError?: (error: unknown) => void;
  /** tells this process's messages apart from the others'; unique per bus */
  origin?: string;
}): EventFanOut {
  const { transport, readEvent, deliver } = options;
  const origin = options.origin ?? randomUUID();
  const onError = options.onError ?? (() => undefined);
  let starting: Promise<void> | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let stopped = false;
  // Messages are handled one after another, so an event read back by id cannot overtake the small events
  // that the same process published after it.
  let received: Promise<void> = Promise.resolve();

  const encode = (event: DomainEvent): string => {
    const full = JSON.stringify({ origin, event } satisfies WireMessage);
    // PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a big envelope goes as its id and the
    // receivers read the row, which is committed before the message is sent.
    if (Buffer.byteLength(full) <= transport.maxMessageBytes) return full;
    return JSON.stringify({ origin, id: event.id } satisfies WireMessage);
  };

  const handle = async (message: string) => {
    let parsed: Partial<{ origin: string; event: DomainEvent; id: string }>;
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch (error) {
      onError(error);
      return;
    }
    // This process delivered its own events to its subscribers when it published them; the transport
    // echoes them back (NOTIFY reaches the sender's LISTEN too), and delivering them again would double them.
    if (parsed.origin === origin || stopped) return;
    const event = parsed.event ?? (parsed.id ? await readEvent(parsed.id) : undefined);
    // Pruned between the NOTIFY and the read: it is past the retention window, nobody can be owed it.
    if (event && !stopped) deliver(event);
  };

  return {
    async publish(event) {
      await transport.publish(encode(event));
    },
    start() {
      starting ??= transport
        .subscribe((message) => {
          received = received.then(() => handle(message)).catch(onError);
        })
        .then((stop) => {
          unsubscribe = stop;
        });
      return starting;
    },
    async stop() {
      stopped = true;
      await starting?.catch(() => undefined);
      await unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
