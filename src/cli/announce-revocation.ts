import type { Redis } from 'ioredis';
import { createRevocations, type Revocation } from '../accounts/revocations.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { eventTransport } from '../events/fan-out-transports.js';
import { createStoredEventBus } from '../events/stored-bus.js';
import { connectRedis, waitUntilReady } from '../redis.js';

/**
 * Tells the server processes that credentials were revoked, the way a server's own revocation does:
 * an event on the stored log, fanned out over Redis when configured, otherwise PostgreSQL NOTIFY. Each
 * server then ends the credential's open streams. Call it once the revocation is committed. A failure
 * (Redis unreachable) goes to `onError`: the revocation stands, and every server finds it on its next
 * periodic re-read (REVOCATION_RESYNC_SECONDS).
 */
export async function announceRevocation(
  database: Database,
  config: Config,
  revocation: Revocation,
  onError: (error: unknown) => void,
): Promise<void> {
  let redis: Redis | undefined;
  try {
    if (config.redisUrl) {
      redis = connectRedis(config.redisUrl);
      redis.on('error', () => undefined);
      await waitUntilReady(redis);
    }
    const events = createStoredEventBus({
      database,
      retentionSeconds: config.eventRetentionSeconds,
      onError,
      transport: await eventTransport(database, redis),
      onFanOutError: onError,
    });
    const revocations = createRevocations({
      orm: database.orm,
      events,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      now: () => new Date(),
      onError,
    });
    await revocations.announce(revocation);
  } catch (error) {
    onError(error);
  } finally {
    redis?.disconnect();
  }
}
