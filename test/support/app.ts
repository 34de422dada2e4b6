import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { createApiKey } from '../../src/accounts/api-key-store.js';
import type { Scope } from '../../src/accounts/roles.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import type { AgentRegistry } from '../../src/tasks/agent-registry.js';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { createTestDatabase, type DatabaseTarget } from './database.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  /** an API key with the admin scope */
  readonly adminKey: string;
  /** every log line the app wrote, parsed */
  readonly logs: Record<string, unknown>[];
  /** raw log output */
  logText(): string;
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
  } = {},
): Promise<TestApp> {
  const testDatabase = await createTestDatabase(target);
  const config = loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'info', ...options.environment });
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const app = await buildApp({
    config,
    database: testDatabase.database,
    redis: options.redis,
    version: 'test',
    now: options.now,
    logStream,
    rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
    agents: options.agents,
    worker: options.worker,
    compute: options.compute,
  });
  await app.ready();
  const orm = testDatabase.database.orm;
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
    database: testDatabase.database,
    adminKey,
    logs,
    logText: () => raw,
    request: ({ key, headers, ...rest }) =>
      app.inject({ ...rest, headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) } }),
    createKey,
    close: async () => {
      await app.close();
      await testDatabase.cleanup();
    },
  };
}

/** Polls until `check` returns a value that is not undefined (for work done after a response). */
/**
 * Polls `check` until it answers a value. The deadline only ends a test whose condition never comes: it
 * is long because a loaded machine (CI runs suites in parallel on two cores) can take many seconds for
 * what takes milliseconds alone, and a test must not fail for that.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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
