import closeWithGrace from 'close-with-grace';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { computeFromConfig } from '../compute/compute-pool.js';
import { openDatabase } from '../db/open.js';
import { eventTransport } from '../events/fan-out-transports.js';
import { createStoredEventBus } from '../events/stored-bus.js';
import { loggerOptions } from '../observability/logger.js';
import { connectRedis, waitUntilReady } from '../redis.js';
import { removeAbandonedCheckouts } from '../sandbox/abandoned-checkouts.js';
import { logSandboxAtStart } from '../sandbox/sandbox-status.js';
import { createTaskRuntime, type TaskRuntime } from '../server/task-runtime.js';
import type { CliContext } from './cli-context.js';

/** `lvlup worker`: runs workers only (no HTTP) until a signal stops them. */
export async function runWorker(context: CliContext) {
  const config = context.config();
  const log = pino(loggerOptions(config.log.level, config.log.format));
  const database = await openDatabase(config);
  let redis: Redis | undefined;
  let runtime: TaskRuntime;
  // The tasks' analyses run in worker threads, as `lvlup serve`'s do; a thread that cannot start
  // (its parsers do not load) stops the worker before it claims anything.
  const compute = computeFromConfig(config.compute, (error) =>
    log.error({ err: error }, 'a compute worker thread failed'),
  );
  try {
    await compute.ready();
    // Task events go to the serving processes the way theirs go to each other: Redis when configured.
    if (config.redisUrl) {
      redis = connectRedis(config.redisUrl);
      redis.on('error', () => undefined);
      await waitUntilReady(redis);
    }
    const events = createStoredEventBus({
      database,
      retentionSeconds: config.eventRetentionSeconds,
      onError: (error) => log.warn({ err: error }, 'could not prune the event log'),
      transport: await eventTransport(database, redis),
      onFanOutError: (error) => log.warn({ err: error }, 'could not pass an event between processes'),
    });
    const abandoned = await removeAbandonedCheckouts(config);
    if (abandoned.length > 0) log.info({ folders: abandoned }, 'removed checkouts that killed processes left');
    runtime = createTaskRuntime({ database, events, config, compute, log, worker: true });
    await runtime.start();
  } catch (error) {
    await compute.close();
    redis?.disconnect();
    await database.close();
    throw error;
  }
  log.info({ owner: runtime.worker?.owner, concurrency: config.worker.concurrency }, 'worker started');
  void logSandboxAtStart(config, log).catch((error: unknown) =>
    log.warn({ err: error }, 'could not probe the sandbox'),
  );
  closeWithGrace({ delay: config.shutdownTimeoutSeconds * 1000 + 2000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await runtime.stop(config.shutdownTimeoutSeconds * 1000);
    await compute.close();
    redis?.disconnect();
    await database.close();
  });
}
