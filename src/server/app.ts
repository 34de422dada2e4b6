import { fileURLToPath } from 'node:url';
import autoload from '@fastify/autoload';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { type DestinationStream, pino } from 'pino';
import { createRevocations } from '../accounts/revocations.js';
import { resolveSigningKey } from '../accounts/signing-key.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { eventTransport } from '../events/fan-out-transports.js';
import { createStoredEventBus } from '../events/stored-bus.js';
import { loggerOptions } from '../observability/logger.js';
import { SingleLineRequestLog } from '../observability/request-log.js';
import { logSandboxAtStart } from '../sandbox/sandbox-status.js';
import { clientErrorHandler } from './client-error.js';
import { compiledSerializerCompiler } from './compiled-serializer.js';
import { registerErrorHandling, sendProblem } from './error-handler.js';
import audit from './plugins/audit.js';
import authentication from './plugins/authentication.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import webApp from './plugins/web-app.js';
import rateLimit from './plugins/rate-limit.js';
import requestId, { generateRequestId } from './plugins/request-id.js';
import security from './plugins/security.js';
import jsonBody from './plugins/json-body.js';
import storableInput from './plugins/storable-input.js';
import { createLanguageModelService } from '../llm/language-model-service.js';
import type { RouteTableEntry, Services } from './types.js';
import type { AgentRegistry } from '../tasks/agent-registry.js';
import { createTaskRuntime, type TaskRuntimeOptions } from './task-runtime.js';
import type { Compute } from '../compute/compute.js';
import { computeFromConfig } from '../compute/compute-pool.js';
import { refitSettled } from '../learning/refit.js';
import { createDeploymentSupervisor, type SupervisorSettings } from '../deployments/supervisor.js';
import { sandboxService } from '../sandbox/sandbox-service.js';
import './types.js';

/** A route plugin is the `index` file of a folder under routes/; any other file there (schemas, helpers, tests) is not loaded. */
const ROUTE_PLUGIN = /\/index\.[jt]s$/;

export interface AppOptions {
  readonly config: Config;
  readonly database: Database;
  readonly redis?: Redis | undefined;
  readonly version: string;
  /** the clock; tests pass their own */
  readonly now?: () => Date;
  /** where logs go (default stdout); tests capture them here */
  readonly logStream?: DestinationStream | undefined;
  /** Redis key prefix for rate-limit counters; tests isolate themselves with it */
  readonly rateLimitNamespace?: string | undefined;
  /** where domain events are published; the stored event log unless given */
  readonly events?: EventBus | undefined;
  /** the agents (built-in unless given) */
  readonly agents?: AgentRegistry | undefined;
  /** whether this process runs workers, with optional settings (tests shorten leases and polls) */
  readonly worker?: TaskRuntimeOptions['worker'];
  /** where CPU-heavy work runs (from `config.compute` unless given); the app closes it when it closes */
  readonly compute?: Compute | undefined;
  /** deployment supervision settings tests shorten (backoff, health interval, lease, owner name) */
  readonly deployments?:
    | (Partial<Pick<SupervisorSettings, 'leaseMs' | 'heartbeatMs' | 'ownerId'>> & {
        timings?: Partial<SupervisorSettings['timings']>;
      })
    | undefined;
}

/**
 * Builds the HTTP application: third-party plugins configured in `plugins/`, our routes in `routes/`
 * (folders are URL prefixes). Starting and stopping the process is `server.ts`'s business, not this one's.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const loggerSettings = loggerOptions(config.log.level, options.logStream ? 'json' : config.log.format);
  // Asynchronous writes batch log lines into fewer syscalls; pino flushes what is buffered when the
  // process exits. The pretty format is a transport (its own thread) and needs no destination.
  const destination =
    options.logStream ?? (config.log.format === 'json' ? pino.destination({ dest: 1, sync: false }) : undefined);
  const logger = (destination ? pino(loggerSettings, destination) : pino(loggerSettings)) as FastifyBaseLogger;
  const app = Fastify({
    loggerInstance: logger,
    genReqId: generateRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    // avvio's default gives each plugin 10 s to load. Route autoload imports every route module at start-up,
    // which under tsx (tests, `npm run dev`) on a loaded machine took longer and failed the start with
    // AVV_ERR_PLUGIN_EXEC_TIMEOUT; a plugin that truly hangs still fails, after two minutes.
    pluginTimeout: 120_000,
    logController: new SingleLineRequestLog(),
    // What Node's HTTP parser refuses (a URL or headers over 16 KiB, malformed HTTP) is a problem document too.
    clientErrorHandler,
    // Errors the router raises before any hook runs (malformed URL, over-long path parameter).
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      const status = error.statusCode ?? 400;
      void sendProblem(request, reply, status, status === 414 ? 'uri_too_long' : 'bad_request', error.message);
    },
  }).withTypeProvider<ZodTypeProvider>();

  const storedEvents = options.events
    ? undefined
    : createStoredEventBus({
        database,
        retentionSeconds: config.eventRetentionSeconds,
        now: options.now,
        onError: (error) => logger.warn({ err: error }, 'could not prune the event log'),
        transport: await eventTransport(database, options.redis),
        onFanOutError: (error) => logger.warn({ err: error }, 'could not pass an event between processes'),
      });
  const events = options.events ?? storedEvents!;
  const compute =
    options.compute ??
    computeFromConfig(config.compute, (error) => logger.error({ err: error }, 'a compute worker thread failed'));
  const runtime = createTaskRuntime({
    database,
    events,
    config,
    compute,
    log: logger,
    registry: options.agents,
    worker: options.worker,
    // Metrics exist once their plugin is registered; the worker reports through them from then on.
    observer: {
      finished: (agentType, outcome, seconds) => {
        app.metrics.taskDuration.observe({ agent_type: agentType, outcome }, seconds);
        app.metrics.taskAttempts.inc({ agent_type: agentType, outcome });
      },
    },
  });
  const now = options.now ?? (() => new Date());
  const revocations = createRevocations({
    orm: database.orm,
    events,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    now,
    onError: (error) => logger.warn({ err: error }, 'could not announce or apply a revocation'),
    resyncIntervalMs: config.revocationResyncSeconds * 1000,
  });
  const deployments = createDeploymentSupervisor({
    database,
    events,
    dataDirectory: config.dataDirectory,
    packageCache: config.projectPackageCache,
    sandbox: () => sandboxService(config),
    now,
    leaseMs: options.deployments?.leaseMs ?? config.deployments.leaseSeconds * 1000,
    ...(options.deployments?.heartbeatMs !== undefined ? { heartbeatMs: options.deployments.heartbeatMs } : {}),
    ...(options.deployments?.ownerId !== undefined ? { ownerId: options.deployments.ownerId } : {}),
    timings: {
      startDeadlineMs: 60_000,
      healthIntervalMs: config.deployments.healthIntervalSeconds * 1000,
      unhealthyAfter: 3,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      ...options.deployments?.timings,
    },
    logLines: config.deployments.logLines,
    log: logger,
  });
  const services: Services = {
    config,
    database,
    redis: options.redis,
    tokens: {
      signingKey: await resolveSigningKey(database.orm, config.secretKey),
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    },
    events,
    revocations,
    agents: runtime.registry,
    tasks: runtime.queue,
    runtime,
    llm: createLanguageModelService({ database, config }),
    compute,
    deployments,
    version: options.version,
    startedAt: new Date(),
    now,
  };
  app.decorate('services', services);
  // Revoked sessions are known before the first request is authenticated.
  app.addHook('onReady', () => revocations.start());
  app.addHook('onClose', async () => revocations.stop());
  // Agent rows exist before the first request; workers stop before the database closes.
  app.addHook('onReady', () => runtime.start());
  // How proposals' code will run, said once at start-up (a warning when it will not run, or unisolated);
  // the probe runs in the background, readiness reports the same state.
  app.addHook('onReady', async () => {
    void logSandboxAtStart(config, logger).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not probe the sandbox'),
    );
  });
  // Other processes' events reach this one's WebSocket and SSE clients while it serves.
  if (storedEvents) {
    app.addHook('onReady', () => storedEvents.start());
    app.addHook('onClose', () => storedEvents.stop());
  }
  // Deployments start once the server is ready; their apps stop (and leases go to other processes) on close.
  app.addHook('onReady', async () => deployments.start());
  app.addHook('onClose', () => deployments.stop());
  app.addHook('onClose', () => runtime.stop(config.shutdownTimeoutSeconds * 1000));
  app.addHook('onClose', () => compute.close());
  // A refit of the acceptance model started by a verdict finishes before the database closes.
  app.addHook('onClose', () => refitSettled(database.orm));

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(compiledSerializerCompiler);
  registerErrorHandling(app);

  // The docs UI's own asset routes are public and stay out of the document.
  app.addHook('onRoute', (route) => {
    // The CORS plugin's catch-all OPTIONS route answers preflights, which never carry credentials.
    if (route.url.startsWith('/docs') || (route.url === '*' && route.method === 'OPTIONS')) {
      route.config = { ...route.config, auth: 'public' };
      route.schema = { ...route.schema, hide: true };
    }
  });

  // Every route as registered (one entry per method), so tests can check each one's access rules.
  const routeTable: RouteTableEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routeTable.push({
        method,
        url: route.url,
        auth: route.config?.auth,
        // A proxied route's schema is set by its own plugin's hook, which runs after this one.
        hidden: route.schema?.hide === true || route.config?.proxied === true,
        streaming: route.config?.streaming === true,
        schema: route.schema,
      });
    }
  });

  await app.register(requestId);
  await app.register(metrics);
  await app.register(security);
  await app.register(authentication);
  await app.register(rateLimit, { namespace: options.rateLimitNamespace });
  await app.register(audit);
  await app.register(jsonBody);
  await app.register(storableInput);
  await app.register(openapi);
  await app.register(webApp);

  // Autoload imports .ts files only when it recognises a TypeScript loader, and it spots tsx only when tsx is
  // preloaded with --require (the tsx CLI), not under `node --import tsx` (the tests) or bin/lvlup.js's register().
  if (import.meta.url.endsWith('.ts')) process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= 'true';
  // Every `index` file under routes/ is a route plugin; its folder is its URL prefix (docs/architecture.md).
  await app.register(autoload, { dir: fileURLToPath(new URL('routes', import.meta.url)), matchFilter: ROUTE_PLUGIN });

  return app;
}
