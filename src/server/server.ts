import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { bootstrapAdminAccess } from '../accounts/bootstrap.js';
import type { Config } from '../config/config.js';
import { openDatabase } from '../db/open.js';
import { connectRedis, waitUntilReady } from '../redis.js';
import { version } from '../version.js';
import { startExpirySweep } from '../proposals/expiry-sweep.js';
import { removeAbandonedCheckouts } from '../sandbox/abandoned-checkouts.js';
import { buildApp } from './app.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Opens storage, makes sure someone can call the API, and listens. On SIGTERM or SIGINT it stops
 * accepting connections, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT), then closes the
 * database and Redis.
 */
export async function startServer(
  config: Config,
  output: NodeJS.WritableStream = process.stdout,
  options: { worker?: boolean } = {},
): Promise<RunningServer> {
  const database = await openDatabase(config);
  let redis: Redis | undefined;
  let app: FastifyInstance | undefined;
  let expirySweep: { stop(): void } | undefined;
  const closeResources = async () => {
    expirySweep?.stop();
    await app?.close();
    redis?.disconnect();
    await database.close();
  };
  try {
    if (config.redisUrl) {
      redis = connectRedis(config.redisUrl);
      redis.on('error', () => undefined);
      await waitUntilReady(redis);
    }
    const bootstrap = await bootstrapAdminAccess(database, config.adminApiKey);
    app = await buildApp({ config, database, redis, version, worker: options.worker ?? config.worker.enabled });
    closeConnectionsWhileClosing(app);
    // The compute workers start (and load every grammar) before the first request: a worker that cannot
    // start stops the server here, rather than failing each analysis later.
    await app.services.compute.ready();
    const log = app.log;
    const abandoned = await removeAbandonedCheckouts(config);
    if (abandoned.length > 0) log.info({ folders: abandoned }, 'removed checkouts that killed processes left');
    expirySweep = startExpirySweep(database, app.services.events, {
      onError: (error) => log.error({ err: error }, 'proposal expiry sweep failed'),
    });
    if (bootstrap.kind === 'created') {
      const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
      output.write(
        [
          '',
          'lvlup: no users or API keys exist yet, so an admin API key was created. It is shown only this once',
          '(only its hash is stored). Keep it somewhere safe:',
          '',
          `    ${bootstrap.secret}`,
          '',
          `    curl -H "Authorization: Bearer ${bootstrap.secret}" ${base}/api/v1/auth/me`,
          '',
        ].join('\n') + '\n',
      );
    }
    const url = await app.listen({ port: config.port, host: config.host });
    return { app, url, close: closeResources };
  } catch (error) {
    await closeResources().catch(() => undefined);
    throw error;
  }
}

/**
 * Closing drops idle keep-alive connections only: one still serving a request would stay open after its
 * response until the client let go, holding the shutdown up to its timeout. Answering such requests with
 * `Connection: close` ends those connections as soon as the response is sent.
 */
function closeConnectionsWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}

export function closeOnSignals(server: RunningServer, timeoutSeconds: number): void {
  closeWithGrace({ delay: timeoutSeconds * 1000 }, async ({ signal, err }) => {
    if (err) server.app.log.error({ err }, 'shutting down after an error');
    else server.app.log.info({ signal }, 'shutting down');
    await server.close();
  });
}
