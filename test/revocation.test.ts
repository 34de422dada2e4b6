import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { createApiKey, revokeApiKey } from '../src/accounts/api-key-store.js';
import type { Role } from '../src/accounts/roles.js';
import { createUser } from '../src/accounts/user-store.js';
import { revokeKeyFromCommandLine } from '../src/cli/revoke-key.js';
import { loadConfig } from '../src/config/config.js';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { users } from '../src/db/schema.js';
import { openPostgres } from '../src/db/postgres.js';
import { buildApp } from '../src/server/app.js';
import { createTestApp, type TestApp } from './support/app.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from './support/database.js';
import { connectWebSocket, openEventStream } from './support/event-clients.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

const PASSWORD = 'correct horse battery staple';
/** The close code of a WebSocket whose credential was revoked (docs/events.md). */
const REVOKED = 4401;

/** Waits for `what` to happen, failing the test if it has not within a (generous) deadline. */
function within<T>(promise: Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not happen in time`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A WebSocket on /ws, authenticated and following the topics the issue found still readable. */
async function follow(baseUrl: string, token: string, topics = ['tasks', 'agents', 'guardian']) {
  const client = connectWebSocket(`${baseUrl.replace('http', 'ws')}/ws`, [], bearer(token));
  assert.equal((await client.messages.next()).type, 'authenticated');
  client.send({ type: 'subscribe', topics });
  assert.deepEqual(await client.messages.next(), { type: 'subscribed', topics });
  return client;
}

/** An SSE stream and a promise of its end, listened for before anything can end it. */
async function stream(baseUrl: string, token: string, topics = 'agents,tasks') {
  const opened = await openEventStream(baseUrl, `/api/v1/events?topics=${topics}`, bearer(token));
  assert.equal(opened.response.statusCode, 200);
  const ended = once(opened.response, 'end');
  // Closing it from this side rejects `ended` ("aborted"); only a test that awaits it cares.
  ended.catch(() => undefined);
  return { ...opened, ended };
}

async function signIn(app: FastifyInstance, email: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: PASSWORD },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ access_token: string; refresh_token: string }>();
}

const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

const addUser = (database: Database, email: string, role: Role = 'viewer') =>
  createUser(database.orm, { email, password: PASSWORD, role });

for (const target of databaseTargets()) {
  describe(`revocation reaches open streams and access tokens on ${target}`, () => {
    let t: TestApp;
    let baseUrl: string;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // Runs until the suite ends, so that a task WebSocket stays open until something closes it.
    const held = scriptedAgent({
      type: 'held',
      async run() {
        await gate;
        return {};
      },
    });

    before(async () => {
      t = await createTestApp(target, { agents: testRegistry(held), worker: { pollIntervalMs: 200 } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      openGate();
      await t.close();
    });

    const revokeKey = async (id: string) => {
      const response = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, key: t.adminKey });
      assert.equal(response.statusCode, 200, response.body);
    };

    it('closes the WebSocket, task WebSocket and SSE streams of a revoked API key, and no others', async () => {
      const { key, secret } = await createApiKey(t.database.orm, {
        name: 'to revoke',
        scopes: ['agents:read', 'proposals:read'],
        createdBy: 'test',
      });
      const bystander = await t.createKey(['agents:read']);
      const socket = await follow(baseUrl, secret);
      const events = await stream(baseUrl, secret);
      const { task } = await t.app.services.tasks.submit({ agentType: 'held', input: {}, trigger: 'manual' });
      const taskSocket = connectWebSocket(`${baseUrl.replace('http', 'ws')}/ws/tasks/${task.id}`, [], bearer(secret));
      assert.equal((await taskSocket.messages.next()).type, 'authenticated');
      assert.equal((await taskSocket.messages.next()).type, 'snapshot');
      // On a topic nothing else here publishes on (the task's events go to `tasks`).
      const other = await follow(baseUrl, bystander, ['guardian']);
      const otherEvents = await stream(baseUrl, bystander, 'guardian');

      await revokeKey(key.id);
      assert.equal((await within(socket.closed, 'socket closed')).code, REVOKED);
      assert.equal((await within(taskSocket.closed, 'taskSocket closed')).code, REVOKED);
      await within(events.ended, 'events ended');

      // The other key's streams still deliver.
      const event = await t.app.services.events.publish({ type: 'guardian.test', topic: 'guardian', data: {} });
      assert.equal((await other.messages.next()).id, event.id);
      assert.equal((await otherEvents.received.next()).id, event.id);
      other.socket.close();
      otherEvents.close();
    });

    it("closes the streams of a disabled user's access tokens and API keys", async () => {
      const user = await addUser(t.database, 'dora@example.com');
      const tokens = await signIn(t.app, 'dora@example.com');
      const { secret } = await createApiKey(t.database.orm, {
        name: "dora's key",
        scopes: ['agents:read'],
        userId: user.id,
        createdBy: 'test',
      });
      const byToken = await follow(baseUrl, tokens.access_token);
      const byKey = await stream(baseUrl, secret);
      const disabled = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        key: t.adminKey,
        payload: { disabled: true },
      });
      assert.equal(disabled.statusCode, 200, disabled.body);
      assert.equal((await within(byToken.closed, 'byToken closed')).code, REVOKED);
      await within(byKey.ended, 'byKey ended');
      // Enabled again, the sign-in that was open when they were disabled stays ended.
      const enabled = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        key: t.adminKey,
        payload: { disabled: false },
      });
      assert.equal(enabled.statusCode, 200, enabled.body);
      assert.equal((await me(t.app, tokens.access_token)).statusCode, 401);
      assert.equal((await me(t.app, (await signIn(t.app, 'dora@example.com')).access_token)).statusCode, 200);
    });

    it('ends the access token and streams of a signed-out session at once, and only of that session', async () => {
      await addUser(t.database, 'olga@example.com');
      const leaving = await signIn(t.app, 'olga@example.com');
      const staying = await signIn(t.app, 'olga@example.com');
      assert.equal((await me(t.app, leaving.access_token)).statusCode, 200);
      const socket = await follow(baseUrl, leaving.access_token);
      const events = await stream(baseUrl, leaving.access_token);
      // A quiet topic, so that the next message it gets is the answer below.
      const otherSocket = await follow(baseUrl, staying.access_token, ['guardian']);

      const logout = await t.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refresh_token: leaving.refresh_token },
      });
      assert.equal(logout.statusCode, 204);
      const refused = await me(t.app, leaving.access_token);
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().code, 'unauthorized');
      assert.equal((await within(socket.closed, 'socket closed')).code, REVOKED);
      await within(events.ended, 'events ended');

      assert.equal((await me(t.app, staying.access_token)).statusCode, 200);
      otherSocket.send({ type: 'subscribe', topics: ['proposals'] });
      assert.deepEqual(await otherSocket.messages.next(), { type: 'subscribed', topics: ['proposals'] });
      otherSocket.socket.close();
    });

    it("ends a session's access tokens and streams when its refresh token is reused", async () => {
      await addUser(t.database, 'rudi@example.com');
      const first = await signIn(t.app, 'rudi@example.com');
      const rotated = await t.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: first.refresh_token },
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const second = rotated.json<{ access_token: string }>();
      const socket = await follow(baseUrl, second.access_token);
      const reused = await t.request({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: first.refresh_token },
      });
      assert.equal(reused.statusCode, 401);
      assert.equal((await within(socket.closed, 'socket closed')).code, REVOKED);
      assert.equal((await me(t.app, first.access_token)).statusCode, 401);
      assert.equal((await me(t.app, second.access_token)).statusCode, 401);
    });

    it('checks the credential again on each WebSocket message (a key revoked without an announcement)', async () => {
      const { key, secret } = await createApiKey(t.database.orm, {
        name: 'revoked by the CLI',
        scopes: ['agents:read'],
        createdBy: 'test',
      });
      const socket = await follow(baseUrl, secret, ['guardian']);
      // What `lvlup keys revoke` does: the database only, no event.
      assert.ok(await revokeApiKey(t.database.orm, key.id));
      socket.send({ type: 'subscribe', topics: ['tasks'] });
      assert.equal((await within(socket.closed, 'socket closed')).code, REVOKED);
      assert.equal(socket.messages.size, 0, 'nothing was granted to the revoked key');
    });

    it('ends the streams of a key revoked and a user disabled without an announcement on the next resync', async () => {
      const { key, secret } = await createApiKey(t.database.orm, {
        name: 'revoked unannounced',
        scopes: ['agents:read'],
        createdBy: 'test',
      });
      const user = await addUser(t.database, 'nina@example.com');
      const tokens = await signIn(t.app, 'nina@example.com');
      const bystander = await t.createKey(['agents:read']);
      const byKey = await stream(baseUrl, secret);
      const byToken = await stream(baseUrl, tokens.access_token);
      const other = await stream(baseUrl, bystander, 'agents');

      // Committed by a process whose announcement never arrived: only the database knows.
      assert.ok(await revokeApiKey(t.database.orm, key.id));
      await t.database.orm.update(users).set({ disabledAt: new Date() }).where(eq(users.id, user.id));
      // Until the resync, this process still delivers to those streams: it has not heard.
      const before = await t.app.services.events.publish({ type: 'agent.test', topic: 'agents', data: {} });
      assert.equal((await byKey.received.next()).id, before.id);
      assert.equal((await byToken.received.next()).id, before.id);
      assert.equal((await other.received.next()).id, before.id);

      await t.app.services.revocations.resync();
      await within(byKey.ended, 'byKey ended');
      await within(byToken.ended, 'byToken ended');
      assert.equal((await me(t.app, tokens.access_token)).statusCode, 401);
      // The bystander's stream still delivers.
      const after = await t.app.services.events.publish({ type: 'agent.test', topic: 'agents', data: {} });
      assert.equal((await other.received.next()).id, after.id);
      other.close();
    });

    it('remembers signed-out sessions across a restart', async () => {
      await addUser(t.database, 'rosa@example.com');
      const out = await signIn(t.app, 'rosa@example.com');
      const still = await signIn(t.app, 'rosa@example.com');
      const logout = await t.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refresh_token: out.refresh_token },
      });
      assert.equal(logout.statusCode, 204);
      // A process started afterwards never heard the announcement: it reads the revoked sessions.
      const restarted = await buildApp({
        config: loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn', LVLUP_WORKER: 'false' }),
        database: t.database,
        version: 'test',
        logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
        rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
      });
      try {
        await restarted.ready();
        assert.equal((await me(restarted, out.access_token)).statusCode, 401);
        assert.equal((await me(restarted, still.access_token)).statusCode, 200);
      } finally {
        await restarted.close();
      }
    });
  });
}

const transports = [
  { name: 'PostgreSQL NOTIFY', redisUrl: undefined as string | undefined },
  ...(process.env.TEST_REDIS_URL ? [{ name: 'Redis', redisUrl: process.env.TEST_REDIS_URL }] : []),
];

for (const { name, redisUrl } of transports) {
  describe(
    `revocation across two processes over ${name}`,
    { skip: process.env.TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL (a PostgreSQL server)', timeout: 180_000 },
    () => {
      let url: string;
      const databases: Database[] = [];
      const clients: Redis[] = [];
      const apps: FastifyInstance[] = [];
      let a: FastifyInstance;
      let b: FastifyInstance;
      let bUrl: string;

      /** One lvlup process's application: its own database pool, Redis connection and event bus. */
      const start = async () => {
        const database = await openPostgres(url, 3);
        databases.push(database);
        const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
        if (redis) clients.push(redis);
        const app = await buildApp({
          // No periodic resync during the test: only announcements reach the other process here.
          config: loadConfig({
            RATE_LIMIT_ENABLED: 'false',
            LOG_LEVEL: 'warn',
            LVLUP_WORKER: 'false',
            REVOCATION_RESYNC_SECONDS: '86400',
          }),
          database,
          redis,
          version: 'test',
          logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
          rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
        });
        apps.push(app);
        return app;
      };

      before(async () => {
        url = await createPostgresDatabase();
        const migrator = await openPostgres(url, 2);
        await migrate(migrator);
        await migrator.close();
        a = await start();
        await a.ready();
        b = await start();
        await b.listen({ port: 0, host: '127.0.0.1' });
        bUrl = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
      });
      after(async () => {
        for (const app of apps) await app.close();
        for (const database of databases) await database.close();
        for (const client of clients) client.disconnect();
        if (url) await dropPostgresDatabase(url);
      });

      it("closes B's streams when A revokes a key or signs a session out, and B refuses the token", async () => {
        const database = databases[0]!;
        const admin = await createApiKey(database.orm, { name: 'admin', scopes: ['admin'], createdBy: 'test' });
        const { key, secret } = await createApiKey(database.orm, {
          name: 'to revoke',
          scopes: ['agents:read'],
          createdBy: 'test',
        });
        await addUser(database, 'xena@example.com');
        const session = await signIn(a, 'xena@example.com');
        const socket = await follow(bUrl, secret);
        const events = await stream(bUrl, session.access_token);
        assert.equal((await me(b, session.access_token)).statusCode, 200);

        const revoked = await a.inject({
          method: 'DELETE',
          url: `/api/v1/api-keys/${key.id}`,
          headers: bearer(admin.secret),
        });
        assert.equal(revoked.statusCode, 200, revoked.body);
        assert.equal((await within(socket.closed, 'socket closed')).code, REVOKED);

        const logout = await a.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          payload: { refresh_token: session.refresh_token },
        });
        assert.equal(logout.statusCode, 204);
        // The stream ending shows B has heard of it; from then on B refuses the access token too.
        await within(events.ended, 'events ended');
        assert.equal((await me(b, session.access_token)).statusCode, 401);
      });

      it("ends B's streams of a key that `lvlup keys revoke` revokes from a process of its own", async () => {
        // The command line's own connection, as `lvlup keys revoke` opens it, with the servers' settings.
        const cli = await openPostgres(url, 2);
        databases.push(cli);
        const { key, secret } = await createApiKey(cli.orm, {
          name: 'cli',
          scopes: ['agents:read'],
          createdBy: 'test',
        });
        const { secret: bystander } = await createApiKey(cli.orm, {
          name: 'bystander',
          scopes: ['agents:read'],
          createdBy: 'test',
        });
        const events = await stream(bUrl, secret);
        const other = await stream(bUrl, bystander, 'agents');
        const warnings: string[] = [];
        const config = loadConfig({ DATABASE_URL: url, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) });
        assert.equal(await revokeKeyFromCommandLine(cli, config, key.id, (warning) => warnings.push(warning)), true);
        assert.deepEqual(warnings, []);
        await within(events.ended, 'events ended');
        // B refuses the key, and its other streams go on.
        assert.equal((await me(b, secret)).statusCode, 401);
        const event = await b.services.events.publish({ type: 'agent.test', topic: 'agents', data: {} });
        assert.equal((await other.received.next()).id, event.id);
        other.close();
      });
    },
  );
}
