import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Database, Orm } from '../db/database.js';
import { ensureSetting } from '../settings/setting-store.js';
import type { FanOutTransport } from './fan-out.js';

/** The NOTIFY channel; NOTIFY is scoped to one database, so every installation can use the same name. */
export const EVENTS_CHANNEL = 'lvlup_events';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (the default build's limit). */
const NOTIFY_PAYLOAD_LIMIT = 7999;

export function notifyTransport(database: Database): FanOutTransport {
  return {
    kind: 'postgres',
    maxMessageBytes: NOTIFY_PAYLOAD_LIMIT,
    async publish(message) {
      await database.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, message]);
    },
    subscribe: (onMessage) => database.listen(EVENTS_CHANNEL, onMessage),
  };
}

/**
 * Redis pub/sub. A connection in subscriber mode can run no other command, so listening takes a
 * connection of its own (a duplicate of the shared client, which keeps publishing). Redis channels are
 * global to the server, unlike NOTIFY, so the channel carries an id of the installation (kept in the
 * database): installations sharing one Redis do not hear each other.
 */
export function redisTransport(redis: Redis, channel: string): FanOutTransport {
  return {
    kind: 'redis',
    // Redis takes messages up to 512 MB; envelopes are bounded by what publishers put in them.
    maxMessageBytes: Number.MAX_SAFE_INTEGER,
    async publish(message) {
      await redis.publish(channel, message);
    },
    async subscribe(onMessage) {
      // Unlike the shared client, this one queues commands while disconnected and never gives up on
      // them: its SUBSCRIBE goes out whenever Redis answers, and ioredis resubscribes after reconnecting.
      const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
      subscriber.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      const subscribed = subscriber.subscribe(channel).then(() => undefined);
      subscribed.catch(() => undefined);
      // Wait until it listens, unless Redis cannot be reached: that must not keep the server from starting
      // (readiness reports it), so the first connection error ends the wait too.
      const unreachable = new Promise<void>((resolve) => subscriber.once('error', () => resolve()));
      subscriber.on('error', () => undefined);
      await Promise.race([subscribed, unreachable]);
      return async () => {
        subscriber.disconnect();
      };
    },
  };
}

/** A random id for this installation, created once and shared by its processes through the database. */
async function installationId(orm: Orm): Promise<string> {
  return ensureSetting(orm, 'installation_id', () => randomUUID());
}

/**
 * How this process reaches the others: Redis when it has a client, otherwise NOTIFY on PostgreSQL.
 * Embedded PGlite is one process (its data folder is locked), so there is nobody to reach.
 */
export async function eventTransport(
  database: Database,
  redis: Redis | undefined,
): Promise<FanOutTransport | undefined> {
  if (database.kind === 'pglite') return undefined;
  if (redis) return redisTransport(redis, `lvlup:events:${await installationId(database.orm)}`);
  return notifyTransport(database);
}
