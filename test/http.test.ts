import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

for (const target of databaseTargets()) {
  describe(`HTTP conventions on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, {
        environment: { CORS_ORIGINS: 'https://app.example.com', BODY_LIMIT_BYTES: '2048' },
      });
    });
    after(() => t.close());

    it('answers /health and /api/health without credentials', async () => {
      const health = await t.request({ method: 'GET', url: '/health' });
      assert.equal(health.statusCode, 200);
      const body = health.json();
      assert.equal(body.status, 'ok');
      assert.equal(body.version, 'test');
      assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
      const api = await t.request({ method: 'GET', url: '/api/health' });
      assert.equal(api.statusCode, 200);
      assert.equal(api.json().status, 'ok');
      assert.match(api.json().message, /running/);
    });

    it('puts X-Request-ID on every response, echoing a safe incoming one', async () => {
      for (const url of ['/health', '/nope', '/api/v1/auth/me']) {
        const response = await t.request({ method: 'GET', url });
        assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      }
      const echoed = await t.request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
      assert.equal(echoed.headers['x-request-id'], 'abc-123');
      const unsafe = await t.request({
        method: 'GET',
        url: '/health',
        headers: { 'x-request-id': 'a b\u0001<script>' },
      });
      assert.notEqual(unsafe.headers['x-request-id'], 'a b\u0001<script>');
    });

    it('answers unknown routes with a 404 problem', async () => {
      const response = await t.request({ method: 'GET', url: '/no/such/route' });
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const body = response.json();
      assert.equal(body.status, 404);
      assert.equal(body.code, 'not_found');
      assert.equal(body.request_id, response.headers['x-request-id']);
    });

    it('reports validation failures with the field path', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/users',
        key: t.adminKey,
        payload: { email: 'not-an-email', password: 'short', role: 'emperor' },
      });
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const body = response.json();
      assert.equal(body.code, 'validation_failed');
      const fields = body.errors.map((error: { field: string }) => error.field).sort();
      assert.deepEqual(fields, ['body.email', 'body.password', 'body.role']);
    });

    it('rejects malformed JSON with 400 and oversized bodies with 413', async () => {
      const malformed = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": ',
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().code, 'invalid_json');
      const huge = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'a@b.co', password: 'x'.repeat(4096) },
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(huge.json().code, 'payload_too_large');
      assert.match(String(huge.headers['content-type']), /^application\/problem\+json/);
    });

    it('answers what the HTTP parser refuses (a 20 KB URL, malformed HTTP) with a problem document', async () => {
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = Number(new URL(address).port);
      const exchange = (request: string) =>
        new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.write(request));
          let raw = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => (raw += chunk));
          socket.on('error', reject);
          socket.on('close', () => {
            const [head = '', body = ''] = raw.split('\r\n\r\n');
            const [statusLine = '', ...lines] = head.split('\r\n');
            const headers = Object.fromEntries(
              lines.map((line) => [
                line.slice(0, line.indexOf(':')).toLowerCase(),
                line.slice(line.indexOf(':') + 1).trim(),
              ]),
            );
            resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
          });
        });

      const long = await exchange(`GET /health?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      assert.equal(long.status, 431);
      assert.match(String(long.headers['content-type']), /^application\/problem\+json/);
      const problem = JSON.parse(long.body) as Record<string, unknown>;
      assert.equal(problem.status, 431);
      assert.equal(problem.code, 'headers_too_large');
      assert.equal(problem.type, '/problems/headers_too_large');
      assert.equal(problem.request_id, long.headers['x-request-id']);

      const garbage = await exchange('NOT HTTP AT ALL\r\n\r\n');
      assert.equal(garbage.status, 400);
      assert.match(String(garbage.headers['content-type']), /^application\/problem\+json/);
      assert.equal((JSON.parse(garbage.body) as Record<string, unknown>).code, 'malformed_request');
    });

    it('sends security headers', async () => {
      const response = await t.request({ method: 'GET', url: '/health' });
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.ok(response.headers['content-security-policy']);
      assert.ok(response.headers['strict-transport-security']);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    });

    it('allows only the configured CORS origins', async () => {
      const allowed = await t.request({
        method: 'OPTIONS',
        url: '/api/v1/auth/me',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      });
      assert.equal(allowed.statusCode, 204);
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
      const denied = await t.request({
        method: 'GET',
        url: '/health',
        headers: { origin: 'https://evil.example.com' },
      });
      assert.equal(denied.headers['access-control-allow-origin'], undefined);
    });

    it('serves the dashboard at / (or says it is not built) and the docs UI at /docs', async () => {
      // web/dist exists once `npm start` or the dashboard's browser tests have built it; either way / never
      // redirects any more, and never answers an empty page (test/web-dashboard.test.ts covers the built page).
      const root = await t.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      if (root.statusCode === 200) {
        assert.match(String(root.headers['content-type']), /text\/html/);
        assert.match(root.body, /<script type="module"/);
      } else {
        assert.equal(root.statusCode, 503, root.body);
        assert.equal(root.json<{ code: string }>().code, 'web_not_built');
      }
      const docs = await t.request({ method: 'GET', url: '/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger/i);
    });
  });
}
