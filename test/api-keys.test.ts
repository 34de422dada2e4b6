import { createHash, randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { createApiKey } from '../src/accounts/api-key-store.js';
import type { Role } from '../src/accounts/roles.js';
import { createUser } from '../src/accounts/user-store.js';
import { apiKeys } from '../src/db/schema.js';
import type { ProblemBody } from '../src/server/problem.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const PASSWORD = 'correct horse battery staple';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sorted = (values: readonly string[]) => [...values].sort();

interface KeyBody {
  id: string;
  key?: string;
  prefix: string;
  scopes: string[];
  user_id: string | null;
}

async function storedKey(t: TestApp, id: string) {
  const [row] = await t.database.orm.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

async function keysNamed(t: TestApp, name: string) {
  return t.database.orm.select().from(apiKeys).where(eq(apiKeys.name, name));
}

/** Creates a user through the admin API, signs them in, and answers their id and access token. */
async function addUser(t: TestApp, email: string, role: Role): Promise<{ id: string; token: string }> {
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/users',
    key: t.adminKey,
    payload: { email, password: PASSWORD, role },
  });
  assert.equal(created.statusCode, 201, created.body);
  const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
  assert.equal(login.statusCode, 200, login.body);
  return { id: created.json().id, token: login.json().access_token };
}

function createKey(t: TestApp, key: string, payload: Record<string, unknown>) {
  return t.request({ method: 'POST', url: '/api/v1/api-keys', key, payload });
}

function me(t: TestApp, key: string) {
  return t.request({ method: 'GET', url: '/api/v1/auth/me', key });
}

function assertProblem(response: LightMyRequestResponse, status: number, code: string): ProblemBody {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json<ProblemBody>();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  return body;
}

for (const target of databaseTargets()) {
  describe(`API keys on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target);
    });
    after(() => t.close());

    it('creates a key whose secret is shown once and stored only as a hash', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const response = await createKey(t, t.adminKey, {
        name: 'ci deploy',
        scopes: ['repos:read', 'proposals:write', 'repos:read'],
        expires_at: expiresAt,
      });
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.match(body.key, /^lvl_[A-Za-z0-9_-]{43}$/);
      assert.equal(body.prefix, String(body.key).slice(0, 12));
      assert.equal(body.name, 'ci deploy');
      assert.deepEqual(sorted(body.scopes), ['proposals:write', 'repos:read']);
      assert.equal(body.user_id, null);
      assert.match(body.created_by, /^api key test admin/);
      assert.equal(body.expires_at, expiresAt);
      assert.equal(body.revoked_at, null);
      assert.equal(body.key_hash, undefined);

      const row = await storedKey(t, body.id);
      assert.ok(row);
      assert.equal(row.keyHash, sha256(body.key));
      assert.notEqual(row.keyHash, body.key);
      assert.equal(row.expiresAt?.toISOString(), expiresAt);
      const [raw] = await t.database.query('select * from api_keys where id = $1', [body.id]);
      assert.ok(raw);
      for (const [column, value] of Object.entries(raw)) {
        assert.ok(!JSON.stringify(value ?? null).includes(body.key), `column ${column} holds the secret`);
      }

      const list = await t.request({ method: 'GET', url: '/api/v1/api-keys', key: t.adminKey });
      assert.equal(list.statusCode, 200);
      const listed = list.json<KeyBody[]>().find((key) => key.id === body.id);
      assert.ok(listed);
      assert.equal(listed.key, undefined);
      assert.ok(!('key_hash' in listed));
      assert.ok(!list.body.includes(body.key));
      assert.ok(!list.body.includes(row.keyHash));
      const one = await t.request({ method: 'GET', url: `/api/v1/api-keys/${body.id}`, key: t.adminKey });
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().id, body.id);
      assert.equal(one.json().prefix, body.prefix);
      assert.ok(!one.body.includes(body.key));
      assert.ok(!one.body.includes(row.keyHash));
    });

    it('lets the new key authenticate with exactly its scopes', async () => {
      const created = (
        await createKey(t, t.adminKey, { name: 'reader', scopes: ['metrics:read', 'keys:read'] })
      ).json();
      const response = await me(t, created.key);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.type, 'api_key');
      assert.equal(body.id, created.id);
      assert.match(body.label, /reader/);
      assert.equal(body.role, null);
      assert.equal(body.user, null);
      assert.deepEqual(sorted(body.scopes), ['keys:read', 'metrics:read']);
      const lastUsed = await eventually(
        t.writes,
        async () => (await storedKey(t, created.id))?.lastUsedAt ?? undefined,
      );
      assert.ok(Math.abs(lastUsed.getTime() - Date.now()) < 60_000);
      // it holds keys:read, but a key without an owner may not manage keys unless it is an admin key
      const listing = assertProblem(
        await t.request({ method: 'GET', url: '/api/v1/api-keys', key: created.key }),
        403,
        'forbidden',
      );
      assert.match(String(listing.detail), /manage API keys/);
      assertProblem(await t.request({ method: 'GET', url: '/api/v1/users', key: created.key }), 403, 'forbidden');
    });

    it('revokes a key with DELETE, after which it is refused; a second revoke is 409', async () => {
      const created = (await createKey(t, t.adminKey, { name: 'short-lived', scopes: ['repos:read'] })).json();
      assert.equal((await me(t, created.key)).statusCode, 200);
      const response = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${created.id}`, key: t.adminKey });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().id, created.id);
      assert.ok(!Number.isNaN(Date.parse(response.json().revoked_at)));
      const row = await storedKey(t, created.id);
      assert.ok(row?.revokedAt instanceof Date);
      assert.equal(row.revokedAt.toISOString(), response.json().revoked_at);
      assertProblem(await me(t, created.key), 401, 'unauthorized');
      const again = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${created.id}`, key: t.adminKey });
      assertProblem(again, 409, 'already_revoked');
      assert.equal((await storedKey(t, created.id))?.revokedAt?.toISOString(), row.revokedAt.toISOString());
      const unknown = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${randomUUID()}`, key: t.adminKey });
      assertProblem(unknown, 404, 'not_found');
      const malformed = await t.request({ method: 'DELETE', url: '/api/v1/api-keys/123', key: t.adminKey });
      assert.equal(assertProblem(malformed, 400, 'validation_failed').errors?.[0]?.field, 'params.id');
    });

    it('refuses an expired key and accepts one that expires later', async () => {
      const expired = await createApiKey(t.database.orm, {
        name: 'expired',
        scopes: ['repos:read'],
        createdBy: 'test',
        expiresAt: new Date(Date.now() - 1000),
      });
      assertProblem(await me(t, expired.secret), 401, 'unauthorized');
      const current = await createApiKey(t.database.orm, {
        name: 'current',
        scopes: ['repos:read'],
        createdBy: 'test',
        expiresAt: new Date(Date.now() + 60_000),
      });
      assert.equal((await me(t, current.secret)).statusCode, 200);
      assertProblem(await me(t, `lvl_${'x'.repeat(43)}`), 401, 'unauthorized');
    });

    it('rejects an expiry in the past with 400 on body.expires_at', async () => {
      const response = await createKey(t, t.adminKey, {
        name: 'from the past',
        scopes: ['repos:read'],
        expires_at: new Date(Date.now() - 60_000).toISOString(),
      });
      const body = assertProblem(response, 400, 'bad_request');
      assert.equal(body.errors?.[0]?.field, 'body.expires_at');
      assert.deepEqual(await keysNamed(t, 'from the past'), []);
      const malformed = await createKey(t, t.adminKey, {
        name: 'malformed',
        scopes: ['repos:read'],
        expires_at: 'tomorrow',
      });
      assert.equal(assertProblem(malformed, 400, 'validation_failed').errors?.[0]?.field, 'body.expires_at');
    });

    it('does not let a caller grant scopes it does not hold', async () => {
      const reviewer = await createUser(t.database.orm, {
        email: `reviewer-${randomUUID()}@example.com`,
        password: 'a long enough password',
        role: 'reviewer',
      });
      const limited = await t.createKey(['keys:write', 'proposals:read'], { userId: reviewer.id });
      const denied = await createKey(t, limited, { name: 'escalation', scopes: ['proposals:read', 'repos:write'] });
      const body = assertProblem(denied, 403, 'forbidden');
      assert.match(String(body.detail), /repos:write/);
      assertProblem(await createKey(t, limited, { name: 'escalation', scopes: ['admin'] }), 403, 'forbidden');
      assert.deepEqual(await keysNamed(t, 'escalation'), []);
      const allowed = await createKey(t, limited, { name: 'narrower', scopes: ['proposals:read'] });
      assert.equal(allowed.statusCode, 201, allowed.body);
      assert.deepEqual((await storedKey(t, allowed.json().id))?.scopes, ['proposals:read']);
      // without keys:write one cannot create keys at all
      const readOnly = await t.createKey(['keys:read']);
      assertProblem(await createKey(t, readOnly, { name: 'nope', scopes: ['keys:read'] }), 403, 'forbidden');
      assert.deepEqual(await keysNamed(t, 'nope'), []);
    });

    it("shows a non-admin user only their own keys, and hides others' as 404", async () => {
      const uma = await addUser(t, 'uma@example.com', 'viewer');
      const otto = await addUser(t, 'otto@example.com', 'reviewer');
      const umaKey = await createKey(t, uma.token, { name: 'uma laptop', scopes: ['keys:read', 'repos:read'] });
      assert.equal(umaKey.statusCode, 201, umaKey.body);
      assert.equal(umaKey.json().user_id, uma.id);
      assert.equal(umaKey.json().created_by, 'uma@example.com');
      assert.equal((await storedKey(t, umaKey.json().id))?.userId, uma.id);
      assertProblem(
        await createKey(t, uma.token, { name: 'uma write', scopes: ['proposals:write'] }),
        403,
        'forbidden',
      );
      const ottoKey = (await createKey(t, otto.token, { name: 'otto laptop', scopes: ['proposals:write'] })).json();
      assert.equal(ottoKey.user_id, otto.id);

      const list = await t.request({ method: 'GET', url: '/api/v1/api-keys', key: uma.token });
      assert.equal(list.statusCode, 200);
      assert.equal(list.headers['x-total-count'], '1');
      assert.deepEqual(
        list.json<KeyBody[]>().map((key) => key.id),
        [umaKey.json().id],
      );
      // Uma's own key, owned by her, sees the same
      const viaKey = await t.request({ method: 'GET', url: '/api/v1/api-keys', key: umaKey.json().key });
      assert.deepEqual(
        viaKey.json<KeyBody[]>().map((key) => key.id),
        [umaKey.json().id],
      );
      assertProblem(
        await t.request({ method: 'GET', url: `/api/v1/api-keys/${ottoKey.id}`, key: uma.token }),
        404,
        'not_found',
      );
      assertProblem(
        await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${ottoKey.id}`, key: uma.token }),
        404,
        'not_found',
      );
      assert.equal((await storedKey(t, ottoKey.id))?.revokedAt, null);
      assert.equal((await me(t, ottoKey.key)).statusCode, 200);
      const own = await t.request({ method: 'GET', url: `/api/v1/api-keys/${umaKey.json().id}`, key: uma.token });
      assert.equal(own.statusCode, 200);

      const all = await t.request({ method: 'GET', url: '/api/v1/api-keys?limit=500', key: t.adminKey });
      const total = (await t.database.orm.select().from(apiKeys)).length;
      assert.equal(all.headers['x-total-count'], String(total));
      const ids = all.json<KeyBody[]>().map((key) => key.id);
      assert.equal(ids.length, total);
      assert.ok(ids.includes(umaKey.json().id) && ids.includes(ottoKey.id));
    });

    it("cuts a user's key down to the owner's role, following role changes and disabling", async () => {
      const owner = await addUser(t, 'wendy@example.com', 'viewer');
      const { key, secret } = await createApiKey(t.database.orm, {
        name: 'over-scoped',
        scopes: ['repos:write', 'repos:read'],
        userId: owner.id,
        createdBy: 'test',
      });
      assert.deepEqual(sorted(key.scopes), ['repos:read', 'repos:write']);
      const scopesNow = async () => {
        const response = await me(t, secret);
        assert.equal(response.statusCode, 200, response.body);
        return sorted(response.json().scopes);
      };
      const first = await me(t, secret);
      assert.equal(first.json().type, 'api_key');
      assert.equal(first.json().role, 'viewer');
      assert.equal(first.json().user.id, owner.id);
      assert.deepEqual(await scopesNow(), ['repos:read']);

      const patch = (payload: Record<string, unknown>) =>
        t.request({ method: 'PATCH', url: `/api/v1/users/${owner.id}`, key: t.adminKey, payload });
      assert.equal((await patch({ role: 'maintainer' })).statusCode, 200);
      assert.deepEqual(await scopesNow(), ['repos:read', 'repos:write']);
      assert.equal((await patch({ role: 'viewer' })).statusCode, 200);
      assert.deepEqual(await scopesNow(), ['repos:read']);
      assert.equal((await patch({ disabled: true })).statusCode, 200);
      assertProblem(await me(t, secret), 401, 'unauthorized');
      assert.equal((await patch({ disabled: false })).statusCode, 200);
      assert.deepEqual(await scopesNow(), ['repos:read']);
      // the stored scopes never change; only what is in force does
      assert.deepEqual(sorted((await storedKey(t, key.id))!.scopes), ['repos:read', 'repos:write']);
    });
  });
}
