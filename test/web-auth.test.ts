import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const PASSWORD = 'correct horse battery staple';

interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

/** The Set-Cookie headers of a response, by cookie name, with their attributes in lower case. */
function setCookies(response: LightMyRequestResponse): Map<string, SetCookie> {
  const header = response.headers['set-cookie'];
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookies = new Map<string, SetCookie>();
  for (const line of lines) {
    const [pair, ...attributeParts] = line.split(';').map((part) => part.trim());
    const [name, value] = pair!.split('=') as [string, string];
    const attributes = new Map(
      attributeParts.map((part) => {
        const [key, attributeValue = ''] = part.split('=');
        return [key!.toLowerCase(), attributeValue] as [string, string];
      }),
    );
    cookies.set(name, { name, value: decodeURIComponent(value), attributes });
  }
  return cookies;
}

for (const target of databaseTargets()) {
  describe(`web dashboard sign-in (cookie and CSRF) on ${target}`, () => {
    let t: TestApp;
    const email = 'web@example.com';

    before(async () => {
      t = await createTestApp(target);
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/users',
        key: t.adminKey,
        payload: { email, password: PASSWORD, role: 'reviewer' },
      });
      assert.equal(created.statusCode, 201, created.body);
    });
    after(() => t.close());

    async function webLogin() {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/web/login',
        payload: { email, password: PASSWORD },
      });
      assert.equal(response.statusCode, 200, response.body);
      const cookies = setCookies(response);
      return { response, refresh: cookies.get('lvlup_refresh')!, csrf: cookies.get('lvlup_csrf')! };
    }

    const refresh = (cookie: string, headers: Record<string, string> = {}) =>
      t.request({ method: 'POST', url: '/api/v1/auth/web/refresh', headers: { cookie, ...headers } });

    it('signs in with the refresh token in an httpOnly, SameSite=Strict cookie and only the access token in the body', async () => {
      const { response, refresh: refreshCookie, csrf } = await webLogin();
      const body = response.json<Record<string, unknown>>();
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type', 'user']);
      assert.equal((body.user as { role: string }).role, 'reviewer');
      assert.match(refreshCookie.value, /^lvr_/);
      assert.ok(refreshCookie.attributes.has('httponly'));
      assert.equal(refreshCookie.attributes.get('samesite'), 'Strict');
      assert.equal(refreshCookie.attributes.get('path'), '/api/v1/auth/web');
      assert.ok(Number(refreshCookie.attributes.get('max-age')) > 0);
      assert.ok(!csrf.attributes.has('httponly'), 'the page reads the CSRF token');
      assert.equal(csrf.attributes.get('samesite'), 'Strict');
      assert.equal(response.headers['cache-control'], 'no-store');
      const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', key: String(body.access_token) });
      assert.equal(me.json<{ label: string }>().label, email);
    });

    it('refuses a refresh without the CSRF token, with a wrong one, or from another origin', async () => {
      const { refresh: refreshCookie, csrf } = await webLogin();
      const cookie = `lvlup_refresh=${refreshCookie.value}; lvlup_csrf=${csrf.value}`;
      for (const headers of <Record<string, string>[]>[
        {},
        { 'x-csrf-token': 'forged' },
        { 'x-csrf-token': csrf.value, origin: 'https://evil.example' },
      ]) {
        const response = await refresh(cookie, headers);
        assert.equal(response.statusCode, 403, JSON.stringify(headers));
        assert.equal(response.json<{ code: string }>().code, 'csrf_failed');
      }
      // None of those used the refresh token up: the page's own call still works.
      const good = await refresh(cookie, { 'x-csrf-token': csrf.value, origin: 'http://localhost:80' });
      assert.equal(good.statusCode, 200, good.body);
    });

    it('rotates the cookie on refresh; the old one presented again ends the sign-in', async () => {
      const { refresh: first, csrf } = await webLogin();
      const rotated = await refresh(`lvlup_refresh=${first.value}`, { 'x-csrf-token': csrf.value });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const next = setCookies(rotated);
      assert.notEqual(next.get('lvlup_refresh')!.value, first.value);
      assert.notEqual(next.get('lvlup_csrf')!.value, csrf.value);
      const accessToken = rotated.json<{ access_token: string }>().access_token;

      const reused = await refresh(`lvlup_refresh=${first.value}`, { 'x-csrf-token': csrf.value });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json<{ code: string }>().code, 'invalid_refresh_token');
      assert.equal(setCookies(reused).get('lvlup_refresh')!.attributes.get('max-age'), '0', 'the cookies are cleared');
      const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', key: accessToken });
      assert.equal(me.statusCode, 401, 'the whole sign-in ended');
    });

    it('signs out: revokes the sign-in and clears the cookies', async () => {
      const { response, refresh: refreshCookie, csrf } = await webLogin();
      const cookie = `lvlup_refresh=${refreshCookie.value}`;
      const forged = await t.request({ method: 'POST', url: '/api/v1/auth/web/logout', headers: { cookie } });
      assert.equal(forged.statusCode, 403);
      const out = await t.request({
        method: 'POST',
        url: '/api/v1/auth/web/logout',
        headers: { cookie, 'x-csrf-token': csrf.value },
      });
      assert.equal(out.statusCode, 204, out.body);
      assert.equal(setCookies(out).get('lvlup_csrf')!.attributes.get('max-age'), '0');
      const me = await t.request({
        method: 'GET',
        url: '/api/v1/auth/me',
        key: response.json<{ access_token: string }>().access_token,
      });
      assert.equal(me.statusCode, 401);
      const again = await refresh(cookie, { 'x-csrf-token': csrf.value });
      assert.equal(again.statusCode, 401);
    });

    it('answers a wrong password and a refresh without a cookie with problems, setting no cookie', async () => {
      const wrong = await t.request({
        method: 'POST',
        url: '/api/v1/auth/web/login',
        payload: { email, password: 'not the password' },
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json<{ detail: string }>().detail, 'Invalid email or password.');
      assert.equal(wrong.headers['set-cookie'], undefined);
      const none = await refresh('', { 'x-csrf-token': 'x' });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json<{ code: string }>().code, 'invalid_refresh_token');
    });

    it("keeps the API's unknown URLs and missing assets 404 problems, also for a browser", async () => {
      for (const url of ['/api/v1/nothing-here', '/assets/missing-0000.js', '/docs/nothing']) {
        const response = await t.request({ method: 'GET', url, headers: { accept: 'text/html' } });
        assert.equal(response.statusCode, 404, url);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
      }
      const api = await t.request({ method: 'GET', url: '/inbox', headers: { accept: 'application/json' } });
      assert.equal(api.statusCode, 404, 'a script asking for JSON gets the API answer');
    });
  });
}
