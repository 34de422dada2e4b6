import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis, waitUntilReady } from '../src/redis.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const LIMIT = 3;
const stores = process.env.TEST_REDIS_URL ? (['memory', 'redis'] as const) : (['memory'] as const);

/** The id a key authenticates as, which is what its requests are counted under. */
async function keyId(t: TestApp, key: string): Promise<string> {
  const response = await t.request({ method: 'GET', url: '/api/v1/auth/me', key });
  assert.equal(response.statusCode, 200);
  return response.json<{ id: string }>().id;
}

for (const target of databaseTargets()) {
  for (const store of stores) {
    describe(`rate limiting on ${target} with the ${store} store`, () => {
      let t: TestApp;
      let redis: Redis | undefined;
      before(async () => {
        if (store === 'redis') {
          redis = connectRedis(process.env.TEST_REDIS_URL!);
          await waitUntilReady(redis);
        }
        t = await createTestApp(target, {
          environment: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PER_MINUTE: String(LIMIT) },
          redis,
        });
      });
      after(async () => {
        await t.close();
        redis?.disconnect();
      });

      it('sends RateLimit headers and answers 429 after the limit, per API key', async () => {
        const key = await t.createKey(['keys:read']);
        for (let index = 1; index <= LIMIT; index++) {
          const response = await t.request({ method: 'GET', url: '/api/v1/auth/me', key });
          assert.equal(response.statusCode, 200, `request ${index}`);
          assert.equal(response.headers['ratelimit-limit'], String(LIMIT));
          assert.equal(response.headers['ratelimit-remaining'], String(LIMIT - index));
          const reset = Number(response.headers['ratelimit-reset']);
          assert.ok(Number.isInteger(reset) && reset > 0 && reset <= 60, `ratelimit-reset ${reset}`);
        }
        const limited = await t.request({ method: 'GET', url: '/api/v1/auth/me', key });
        assert.equal(limited.statusCode, 429);
        assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
        const body = limited.json();
        assert.equal(body.status, 429);
        assert.equal(body.code, 'rate_limited');
        assert.equal(body.type, '/problems/rate_limited');
        assert.match(body.detail, /3 requests per minute/);
        const retryAfter = Number(limited.headers['retry-after']);
        assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
        assert.equal(limited.headers['ratelimit-remaining'], '0');

        // The count is per key, not per route or address: another route is limited too, another key is not.
        assert.equal((await t.request({ method: 'GET', url: '/api/v1/api-keys', key })).statusCode, 429);
        const other = await t.createKey(['keys:read']);
        const fresh = await t.request({ method: 'GET', url: '/api/v1/auth/me', key: other });
        assert.equal(fresh.statusCode, 200);
        assert.equal(fresh.headers['ratelimit-remaining'], String(LIMIT - 1));
      });

      it('counts anonymous requests per IP address', async () => {
        const from = (remoteAddress: string) => t.request({ method: 'GET', url: '/openapi.json', remoteAddress });
        for (let index = 1; index <= LIMIT; index++) {
          const response = await from('198.51.100.7');
          assert.equal(response.statusCode, 200);
          assert.equal(response.headers['ratelimit-remaining'], String(LIMIT - index));
        }
        const limited = await from('198.51.100.7');
        assert.equal(limited.statusCode, 429);
        assert.equal(limited.json().code, 'rate_limited');
        assert.ok(limited.headers['retry-after']);
        // Failed authentication counts against the address too.
        const unauthenticated = await t.request({ method: 'GET', url: '/api/v1/users', remoteAddress: '198.51.100.7' });
        assert.equal(unauthenticated.statusCode, 429);
        const elsewhere = await from('198.51.100.8');
        assert.equal(elsewhere.statusCode, 200);
        assert.equal(elsewhere.headers['ratelimit-remaining'], String(LIMIT - 1));
        // A key used from the limited address has its own budget.
        const key = await t.createKey(['keys:read']);
        const keyed = await t.request({ method: 'GET', url: '/api/v1/auth/me', key, remoteAddress: '198.51.100.7' });
        assert.equal(keyed.statusCode, 200);
      });

      it('never limits the health endpoints', async () => {
        for (let index = 0; index < LIMIT * 3; index++) {
          for (const url of ['/health', '/api/health', '/health/ready']) {
            const response = await t.request({ method: 'GET', url, remoteAddress: '198.51.100.9' });
            assert.equal(response.statusCode, 200, `${url} #${index}`);
            assert.equal(response.headers['ratelimit-limit'], undefined);
          }
        }
        // Nor do they use up the address's budget.
        const after = await t.request({ method: 'GET', url: '/openapi.json', remoteAddress: '198.51.100.9' });
        assert.equal(after.statusCode, 200);
        assert.equal(after.headers['ratelimit-remaining'], String(LIMIT - 1));
      });

      if (store === 'redis') {
        it('keeps the counters in Redis under the test namespace', async () => {
          const key = await t.createKey(['keys:read']);
          const id = await keyId(t, key);
          await t.request({ method: 'GET', url: '/api/v1/auth/me', key });
          const names = await redis!.keys(`lvlup-test:*:api_key:${id}`);
          assert.equal(names.length, 1, `counter keys: ${names.join(', ')}`);
          assert.match(names[0]!, /^lvlup-test:[0-9a-f-]{36}:api_key:/);
          assert.equal(await redis!.get(names[0]!), '2');
          const ttl = await redis!.pttl(names[0]!);
          assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
          const namespace = names[0]!.slice(0, names[0]!.indexOf('api_key:'));
          assert.deepEqual(await redis!.keys(`${namespace}ip:198.51.100.7`), [`${namespace}ip:198.51.100.7`]);
        });
      }
    });
  }
}
