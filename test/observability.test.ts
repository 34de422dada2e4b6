import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createApiKey, revokeApiKey } from '../src/accounts/api-key-store.js';
import { SCOPES } from '../src/accounts/roles.js';
import { createUser } from '../src/accounts/user-store.js';
import { connectRedis, waitUntilReady } from '../src/redis.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

interface DebugBody {
  version: string;
  pid: number;
  database: { kind: string };
  redis: { configured: boolean };
  memory: { rss_bytes: number };
  counts: { users: number; active_api_keys: number; active_refresh_tokens: number; audit_entries: number };
}

const NON_ADMIN_SCOPES = SCOPES.filter((scope) => scope !== 'admin');

/** The value of one sample in Prometheus text format, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** The sum of every sample of a metric, whatever its labels. */
function total(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function countRows(t: TestApp, table: string, where = 'true'): Promise<number> {
  const [row] = await t.database.query<{ total: number }>(`select count(*)::int as total from ${table} where ${where}`);
  return row!.total;
}

function assertProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
) {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.status, status);
  return body;
}

for (const target of databaseTargets()) {
  describe(`observability on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target);
    });
    after(() => t.close());

    describe('/metrics', () => {
      it('needs a credential with metrics:read', async () => {
        assertProblem(await t.request({ method: 'GET', url: '/metrics' }), 401);
        const without = await t.createKey(NON_ADMIN_SCOPES.filter((scope) => scope !== 'metrics:read'));
        const forbidden = assertProblem(await t.request({ method: 'GET', url: '/metrics', key: without }), 403);
        assert.match(String(forbidden.detail), /metrics:read/);
        const reader = await t.createKey(['metrics:read']);
        const response = await t.request({ method: 'GET', url: '/metrics', key: reader });
        assert.equal(response.statusCode, 200);
        assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
        assert.match(response.body, /^# HELP /m);
        const admin = await t.request({ method: 'GET', url: '/metrics', key: t.adminKey });
        assert.equal(admin.statusCode, 200);
      });

      it('counts requests by route template and status, with durations', async () => {
        const reader = await t.createKey(['metrics:read']);
        const scrape = async () => (await t.request({ method: 'GET', url: '/metrics', key: reader })).body;
        const health = { method: 'GET', route: '/health', status_code: '200' };
        const before = await scrape();
        const requestsBefore = sample(before, 'lvlup_http_requests_total', health) ?? 0;
        const durationsBefore = sample(before, 'lvlup_http_request_duration_seconds_count', health) ?? 0;
        for (let index = 0; index < 3; index++) {
          assert.equal((await t.request({ method: 'GET', url: '/health' })).statusCode, 200);
        }
        await t.request({ method: 'GET', url: `/api/v1/users/${'0'.repeat(8)}-0000-0000-0000-000000000000` });
        await t.request({ method: 'GET', url: '/no/such/thing/42' });

        // Counted once the response is sent, before its "request completed" line is logged: the registry is
        // read after each line (a scrape would log a line of its own), then scraped once.
        await eventually(t.logged, async () => {
          const counted = sample(await t.app.metrics.registry.metrics(), 'lvlup_http_requests_total', health);
          return counted === requestsBefore + 3 ? true : undefined;
        });
        const text = await scrape();
        assert.equal(sample(text, 'lvlup_http_request_duration_seconds_count', health), durationsBefore + 3);
        assert.ok((sample(text, 'lvlup_http_request_duration_seconds_sum', health) ?? -1) >= 0);
        assert.equal(
          sample(text, 'lvlup_http_request_duration_seconds_bucket', { ...health, le: '+Inf' }),
          durationsBefore + 3,
        );
        // Parameterised routes are labelled with their template, unmatched URLs with one shared label.
        assert.ok(
          (sample(text, 'lvlup_http_requests_total', { route: '/api/v1/users/:id', status_code: '401' }) ?? 0) >= 1,
        );
        assert.ok((sample(text, 'lvlup_http_requests_total', { route: 'unmatched', status_code: '404' }) ?? 0) >= 1);
        assert.ok(!text.includes('/no/such/thing/42'), 'a raw URL became a label');
      });

      it('reports database query durations and default process metrics', async () => {
        const reader = await t.createKey(['metrics:read']);
        const scrape = async () => (await t.request({ method: 'GET', url: '/metrics', key: reader })).body;
        const before = total(await scrape(), 'lvlup_db_query_duration_seconds_count');
        // Authenticating a key reads the database, so each of these requests runs at least one query.
        for (let index = 0; index < 3; index++) {
          assert.equal((await t.request({ method: 'GET', url: '/api/v1/auth/me', key: reader })).statusCode, 200);
        }
        const text = await scrape();
        assert.ok(
          total(text, 'lvlup_db_query_duration_seconds_count') >= before + 3,
          'database queries went uncounted',
        );
        assert.ok(
          (sample(text, 'lvlup_db_query_duration_seconds_count', { operation: 'select', outcome: 'ok' }) ?? 0) > 0,
        );
        assert.ok((sample(text, 'lvlup_process_cpu_user_seconds_total') ?? 0) > 0);
        assert.match(text, /^lvlup_nodejs_heap_size_used_bytes \d/m);
      });
    });

    it('redacts credentials and secret query parameters from logs', async () => {
      const key = await t.createKey(['keys:read']);
      const response = await t.request({
        method: 'GET',
        url: '/api/v1/auth/me?token=secret123&page=2',
        key,
        headers: { cookie: 'session=cookie-value-4711', 'x-request-id': 'redaction-check' },
      });
      assert.equal(response.statusCode, 200);
      const line = await eventually(t.logged, async () =>
        t.logs.find((entry) => entry.reqId === 'redaction-check' && entry.msg === 'request completed'),
      );
      const request = line.req as { method: string; url: string; headers: Record<string, string> };
      assert.equal(request.method, 'GET');
      assert.equal(request.url, '/api/v1/auth/me?token=[Redacted]&page=2');
      assert.equal(request.headers.authorization, '[Redacted]');
      assert.equal(request.headers.cookie, '[Redacted]');
      assert.equal((line.res as { statusCode: number }).statusCode, 200);
      const text = t.logText();
      assert.ok(text.includes('/api/v1/auth/me?token=[Redacted]'), 'the request line is missing');
      assert.ok(text.includes('[Redacted]'));
      assert.ok(!text.includes(key), 'the API key was logged');
      assert.ok(!text.includes(key.slice(4)), 'the API key was logged');
      assert.ok(!text.includes('cookie-value-4711'), 'the cookie was logged');
      assert.ok(!text.includes('secret123'), 'the token query parameter was logged');
    });

    it('is ready when the database answers', async () => {
      const response = await t.request({ method: 'GET', url: '/health/ready' });
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.status, 'ready');
      assert.equal(body.checks.database.status, 'up');
      assert.equal(typeof body.checks.database.latency_ms, 'number');
      assert.equal(body.checks.redis, undefined, 'no Redis is configured');
      assert.equal(body.checks.queue.status, 'up');
      assert.deepEqual(body.queue, { queued: 0, retrying: 0, running: 0, oldest_waiting_seconds: null, worker: null });
    });

    describe('/debug', () => {
      it('is for admins only', async () => {
        assertProblem(await t.request({ method: 'GET', url: '/debug' }), 401);
        const nonAdmin = await t.createKey(NON_ADMIN_SCOPES);
        const forbidden = assertProblem(await t.request({ method: 'GET', url: '/debug', key: nonAdmin }), 403);
        assert.match(String(forbidden.detail), /admin scope/);
        assert.equal((await t.request({ method: 'GET', url: '/debug', key: t.adminKey })).statusCode, 200);
      });

      it('reports counts that match the database', async () => {
        const debug = async () =>
          (await t.request({ method: 'GET', url: '/debug', key: t.adminKey })).json<DebugBody>();
        const before = await debug();
        const orm = t.database.orm;
        const alice = await createUser(orm, {
          email: 'alice@example.com',
          password: 'a long password 1',
          role: 'viewer',
        });
        await createUser(orm, { email: 'bob@example.com', password: 'a long password 2', role: 'maintainer' });
        await t.createKey(['keys:read'], { userId: alice.id });
        const revoked = await createApiKey(orm, { name: 'revoked', scopes: ['keys:read'], createdBy: 'test' });
        await revokeApiKey(orm, revoked.key.id);
        await createApiKey(orm, {
          name: 'expired',
          scopes: ['keys:read'],
          createdBy: 'test',
          expiresAt: new Date(Date.now() - 60_000),
        });

        const body = await debug();
        assert.equal(body.counts.users, before.counts.users + 2);
        assert.equal(body.counts.active_api_keys, before.counts.active_api_keys + 1);
        assert.equal(body.counts.users, await countRows(t, 'users'));
        assert.equal(
          body.counts.active_api_keys,
          await countRows(t, 'api_keys', 'revoked_at is null and (expires_at is null or expires_at > now())'),
        );
        assert.equal(body.counts.active_refresh_tokens, 0);
        assert.equal(body.counts.audit_entries, await countRows(t, 'audit_log'));
        assert.equal(body.version, 'test');
        assert.equal(body.database.kind, target);
        assert.equal(body.redis.configured, false);
        assert.equal(body.pid, process.pid);
        assert.ok(body.memory.rss_bytes > 0);
      });
    });
  });

  describe(`METRICS_PUBLIC=true on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, { environment: { METRICS_PUBLIC: 'true' } });
    });
    after(() => t.close());

    it('serves /metrics without a credential', async () => {
      const response = await t.request({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /lvlup_process_cpu_user_seconds_total/);
      assert.equal(t.app.routeTable.find((route) => route.url === '/metrics')?.auth, 'public');
    });
  });

  describe(`readiness with Redis unreachable on ${target}`, () => {
    let t: TestApp;
    let redis: Redis;
    before(async () => {
      redis = connectRedis('redis://127.0.0.1:1');
      redis.on('error', () => undefined);
      t = await createTestApp(target, { redis });
    });
    after(async () => {
      await t.close();
      redis.disconnect();
    });

    it('answers 503 naming Redis as down', async () => {
      const response = await t.request({ method: 'GET', url: '/health/ready' });
      const body = assertProblem(response, 503) as {
        code: string;
        down: string[];
        checks: Record<string, { status: string }>;
      };
      assert.equal(body.code, 'dependency_unavailable');
      assert.deepEqual(body.down, ['redis']);
      assert.equal(body.checks.redis?.status, 'down');
      assert.equal(body.checks.database?.status, 'up');
      assert.equal((await t.request({ method: 'GET', url: '/health' })).statusCode, 200, 'liveness stays up');
    });
  });

  if (process.env.TEST_REDIS_URL) {
    describe(`readiness with Redis on ${target}`, () => {
      let t: TestApp;
      let redis: Redis;
      before(async () => {
        redis = connectRedis(process.env.TEST_REDIS_URL!);
        await waitUntilReady(redis);
        t = await createTestApp(target, { redis });
      });
      after(async () => {
        await t.close();
        redis.disconnect();
      });

      it('probes Redis too', async () => {
        const response = await t.request({ method: 'GET', url: '/health/ready' });
        assert.equal(response.statusCode, 200);
        const body = response.json();
        assert.equal(body.checks.redis.status, 'up');
        assert.equal(body.checks.database.status, 'up');
        const debug = (await t.request({ method: 'GET', url: '/debug', key: t.adminKey })).json();
        assert.equal(debug.redis.configured, true);
      });
    });
  }
}
