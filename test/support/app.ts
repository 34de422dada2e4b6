import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { createApiKey } from '../../src/accounts/api-key-store.js';
import type { Scope } from '../../src/accounts/roles.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database, QueryObserver } from '../../src/db/database.js';
import type { AgentRegistry } from '../../src/tasks/agent-registry.js';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { createTestDatabase, type DatabaseTarget } from './database.js';
import { untilChanged, type ChangeSource } from './events.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  /** an API key with the admin scope */
  readonly adminKey: string;
  /** every log line the app wrote, parsed */
  readonly logs: Record<string, unknown>[];
  /** raw log output */
  logText(): string;
  /** what the app announces: every event it publishes */
  readonly changes: ChangeSource;
  /** every line the app logs (a check that makes requests must not wait on this: it logs them) */
  readonly logged: ChangeSource;
  /**
   * every statement the app completes that is not a plain read: the only sign of what it writes in the
   * background after a response (audit entries, when a key was last used), which it announces nowhere else
   */
  readonly writes: ChangeSource;
  request(options: InjectOptions & { key?: string | undefined }): Promise<LightMyRequestResponse>;
  createKey(scopes: Scope[], options?: { userId?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(
  target: DatabaseTarget,
  options: {
    environment?: Record<string, string>;
    redis?: Redis;
    now?: () => Date;
    agents?: AgentRegistry;
    worker?: AppOptions['worker'];
    compute?: AppOptions['compute'];
    deployments?: AppOptions['deployments'];
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase(target);
  const logged = listeners();
  const written = listeners();
  // The app's own observer (its query metrics) still sees every statement.
  let appObserver: QueryObserver | undefined;
  testDatabase.database.observeQueries((event) => {
    appObserver?.(event);
    if (event.operation !== 'select') written.notify();
  });
  const database: Database = {
    ...testDatabase.database,
    observeQueries: (observer) => {
      appObserver = observer;
    },
  };
  const config = loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'info', ...options.environment });
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      logged.notify();
      callback();
    },
  });
  const app = await buildApp({
    config,
    database,
    redis: options.redis,
    version: 'test',
    now: options.now,
    logStream,
    rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
    agents: options.agents,
    worker: options.worker,
    compute: options.compute,
    deployments: options.deployments,
  });
  await app.ready();
  const orm = database.orm;
  const createKey: TestApp['createKey'] = async (scopes, keyOptions = {}) =>
    (
      await createApiKey(orm, {
        name: `test ${scopes.join(',')}`,
        scopes,
        createdBy: 'test',
        userId: keyOptions.userId,
      })
    ).secret;
  const adminKey = await createKey(['admin']);
  return {
    app,
    database,
    adminKey,
    logs,
    logText: () => raw,
    changes: (listener) => app.services.events.subscribe(() => listener()),
    logged: logged.subscribe,
    writes: written.subscribe,
    request: ({ key, headers, ...rest }) =>
      app.inject({ ...rest, headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) } }),
    createKey,
    close: async () => {
      await app.close();
      await testDatabase.cleanup();
    },
  };
}

function listeners() {
  const registered = new Set<() => void>();
  return {
    notify: () => {
      for (const listener of registered) listener();
    },
    subscribe: (listener: () => void) => {
      registered.add(listener);
      return () => {
        registered.delete(listener);
      };
    },
  };
}

/**
 * Waits until `check` answers a value (for work done after a response): checks now and again after each
 * change `source` announces, `t.changes` of a test app unless said otherwise. See `untilChanged`.
 */
export function eventually<T>(
  source: ChangeSource | Pick<TestApp, 'changes'>,
  check: () => Promise<T | undefined>,
  timeoutMs?: number,
): Promise<T> {
  return untilChanged(typeof source === 'function' ? source : source.changes, check, timeoutMs);
}

/** Registers a local repository folder through the API as the admin and answers its id. */
export async function registerRepository(t: TestApp, folder: string): Promise<string> {
  const registered = await t.request({
    method: 'POST',
    url: '/api/v1/repositories',
    key: t.adminKey,
    payload: { path: folder },
  });
  assert.equal(registered.statusCode, 201, registered.body);
  return registered.json<{ id: string }>().id;
}
