import { createHash, randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { eq, sql } from 'drizzle-orm';
import { ROLE_SCOPES, type Role } from '../src/accounts/roles.js';
import { loginFailures, refreshTokens, users } from '../src/db/schema.js';
import type { ProblemBody } from '../src/server/problem.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const PASSWORD = 'correct horse battery staple';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sorted = (values: readonly string[]) => [...values].sort();

interface UserBody {
  id: string;
  email: string;
  role: Role;
}
interface Identity {
  type: string;
  id: string;
  role: Role | null;
  scopes: string[];
}

async function storedUser(t: TestApp, email: string) {
  const [row] = await t.database.orm
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()));
  return row;
}

async function countUsers(t: TestApp, email?: string): Promise<number> {
  const rows = await t.database.orm
    .select()
    .from(users)
    .where(email ? eq(sql`lower(${users.email})`, email.toLowerCase()) : undefined);
  return rows.length;
}

/** Creates a user through the admin API and answers its id. */
async function addUser(t: TestApp, email: string, role: Role): Promise<string> {
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/users',
    key: t.adminKey,
    payload: { email, password: PASSWORD, role },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<{ id: string }>().id;
}

function login(t: TestApp, email: string, password = PASSWORD, remoteAddress?: string) {
  return t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
}

async function signIn(t: TestApp, email: string): Promise<{ access_token: string; refresh_token: string }> {
  const response = await login(t, email);
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

function refresh(t: TestApp, token: string) {
  return t.request({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });
}

function me(t: TestApp, key: string) {
  return t.request({ method: 'GET', url: '/api/v1/auth/me', key });
}

type Problem = ProblemBody & { retry_after?: number | undefined };

function assertProblem(response: LightMyRequestResponse, status: number, code: string): Problem {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json<Problem>();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.request_id, response.headers['x-request-id']);
  return body;
}

for (const target of databaseTargets()) {
  describe(`registration on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target);
    });
    after(() => t.close());

    it('makes the first user admin even when they ask for viewer, and stores an argon2id hash', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'First@Example.com', password: PASSWORD, role: 'viewer', display_name: 'First' },
      });
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json();
      assert.equal(body.role, 'admin');
      assert.equal(body.email, 'first@example.com');
      assert.equal(body.display_name, 'First');
      assert.equal(body.disabled, false);
      assert.equal(body.password_hash, undefined);
      assert.equal(body.password, undefined);
      const row = await storedUser(t, 'first@example.com');
      assert.ok(row);
      assert.equal(row.id, body.id);
      assert.equal(row.role, 'admin');
      assert.equal(row.email, 'first@example.com');
      assert.ok(row.passwordHash.startsWith('$argon2id$'), row.passwordHash);
      assert.ok(!row.passwordHash.includes(PASSWORD));
    });

    it('refuses an anonymous second registration with 401 while signup is off', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'second@example.com', password: PASSWORD },
      });
      const body = assertProblem(response, 401, 'unauthorized');
      assert.match(String(body.detail), /ALLOW_SIGNUP/);
      assert.equal(await countUsers(t, 'second@example.com'), 0);
      assert.equal(await countUsers(t), 1);
    });

    it('lets an admin credential register a user with the requested role', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        key: t.adminKey,
        payload: { email: 'reviewer@example.com', password: PASSWORD, role: 'reviewer' },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json().role, 'reviewer');
      const row = await storedUser(t, 'reviewer@example.com');
      assert.equal(row?.role, 'reviewer');
      assert.equal(row?.id, response.json().id);
    });

    it('refuses a signed-in non-admin with 403', async () => {
      const tokens = await signIn(t, 'reviewer@example.com');
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        key: tokens.access_token,
        payload: { email: 'third@example.com', password: PASSWORD, role: 'admin' },
      });
      assertProblem(response, 403, 'forbidden');
      assert.equal(await countUsers(t, 'third@example.com'), 0);
    });

    it('answers 409 email_taken for an email already used, whatever its case', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        key: t.adminKey,
        payload: { email: 'REVIEWER@example.COM', password: 'another password 123', role: 'maintainer' },
      });
      assertProblem(response, 409, 'email_taken');
      assert.equal(await countUsers(t, 'reviewer@example.com'), 1);
      assert.equal((await storedUser(t, 'reviewer@example.com'))?.role, 'reviewer');
      const viaUsers = await t.request({
        method: 'POST',
        url: '/api/v1/users',
        key: t.adminKey,
        payload: { email: 'First@EXAMPLE.com', password: PASSWORD, role: 'viewer' },
      });
      assertProblem(viaUsers, 409, 'email_taken');
      assert.equal(await countUsers(t), 2);
    });
  });

  describe(`open signup on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, { environment: { ALLOW_SIGNUP: 'true' } });
    });
    after(() => t.close());

    it('lets anyone sign up, but only as viewer', async () => {
      const first = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'owner@example.com', password: PASSWORD },
      });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.json().role, 'admin');
      const second = await t.request({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'stranger@example.com', password: PASSWORD, role: 'admin' },
      });
      assert.equal(second.statusCode, 201, second.body);
      assert.equal(second.json().role, 'viewer');
      assert.equal((await storedUser(t, 'stranger@example.com'))?.role, 'viewer');
      const tokens = await signIn(t, 'stranger@example.com');
      const whoami = await me(t, tokens.access_token);
      assert.equal(whoami.statusCode, 200);
      assert.equal(whoami.json().role, 'viewer');
      assert.ok(!whoami.json<Identity>().scopes.includes('admin'));
    });
  });

  describe(`sign-in and tokens on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target);
    });
    after(() => t.close());

    it('answers a token pair and the user, and the access token works on /me', async () => {
      const id = await addUser(t, 'alice@example.com', 'reviewer');
      const response = await login(t, 'Alice@Example.com');
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.equal(body.refresh_expires_in, 30 * 24 * 3600);
      assert.match(body.access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.match(body.refresh_token, /^lvr_/);
      assert.deepEqual(
        { id: body.user.id, email: body.user.email, role: body.user.role, disabled: body.user.disabled },
        { id, email: 'alice@example.com', role: 'reviewer', disabled: false },
      );
      const stored = await t.database.orm.select().from(refreshTokens).where(eq(refreshTokens.userId, id));
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.tokenHash, sha256(body.refresh_token));
      assert.equal(stored[0]!.revokedAt, null);
      assert.equal(stored[0]!.rotatedAt, null);

      const whoami = await me(t, body.access_token);
      assert.equal(whoami.statusCode, 200, whoami.body);
      const identity = whoami.json();
      assert.equal(identity.type, 'user');
      assert.equal(identity.id, id);
      assert.equal(identity.label, 'alice@example.com');
      assert.equal(identity.role, 'reviewer');
      assert.deepEqual(sorted(identity.scopes), sorted(ROLE_SCOPES.reviewer));
      assert.equal(identity.user.email, 'alice@example.com');
    });

    it('answers 401 with the same body for a wrong password and an unknown email', async () => {
      const wrong = await login(t, 'alice@example.com', 'not the password at all', '10.0.0.1');
      const wrongBody = assertProblem(wrong, 401, 'unauthorized');
      const unknown = await login(t, 'nobody@example.com', PASSWORD, '10.0.0.1');
      const unknownBody = assertProblem(unknown, 401, 'unauthorized');
      assert.deepEqual(Object.keys(wrongBody).sort(), Object.keys(unknownBody).sort());
      const { request_id: _a, ...wrongRest } = wrongBody;
      const { request_id: _b, ...unknownRest } = unknownBody;
      assert.deepEqual(wrongRest, unknownRest);
      assert.ok(!('access_token' in wrongBody));
      const failures = await t.database.orm
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.key, 'account:alice@example.com'));
      assert.equal(failures[0]?.failures, 1);
      // a successful sign-in clears the account's failures
      await signIn(t, 'alice@example.com');
      const cleared = await t.database.orm
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.key, 'account:alice@example.com'));
      assert.equal(cleared.length, 0);
    });

    it('locks an account after 5 failed sign-ins, even against the right password', async () => {
      await addUser(t, 'bob@example.com', 'viewer');
      await addUser(t, 'carol@example.com', 'viewer');
      for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await login(t, 'bob@example.com', `wrong password ${attempt}`, '10.0.0.2');
        assertProblem(response, 401, 'unauthorized');
      }
      const locked = await login(t, 'bob@example.com', PASSWORD, '10.0.0.3');
      const body = assertProblem(locked, 429, 'login_throttled');
      const retryAfter = Number(body.retry_after);
      assert.ok(retryAfter > 0 && retryAfter <= 900, String(body.retry_after));
      assert.equal(locked.headers['retry-after'], String(body.retry_after));
      assert.ok(!('access_token' in body));
      const [row] = await t.database.orm
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.key, 'account:bob@example.com'));
      assert.ok(row?.lockedUntil && row.lockedUntil.getTime() > Date.now());
      // the lock is per account: another account from the same address still signs in
      const other = await login(t, 'carol@example.com', PASSWORD, '10.0.0.2');
      assert.equal(other.statusCode, 200, other.body);
    });

    it('refuses a disabled user and stops their tokens working', async () => {
      const id = await addUser(t, 'dave@example.com', 'maintainer');
      const tokens = await signIn(t, 'dave@example.com');
      assert.equal((await me(t, tokens.access_token)).statusCode, 200);
      const disable = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        key: t.adminKey,
        payload: { disabled: true },
      });
      assert.equal(disable.statusCode, 200, disable.body);
      assert.equal(disable.json().disabled, true);
      assert.ok((await storedUser(t, 'dave@example.com'))?.disabledAt instanceof Date);

      assertProblem(await login(t, 'dave@example.com', PASSWORD, '10.0.0.4'), 401, 'unauthorized');
      assertProblem(await me(t, tokens.access_token), 401, 'unauthorized');
      assertProblem(await refresh(t, tokens.refresh_token), 401, 'invalid_refresh_token');

      const enable = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        key: t.adminKey,
        payload: { disabled: false },
      });
      assert.equal(enable.json().disabled, false);
      assert.equal((await storedUser(t, 'dave@example.com'))?.disabledAt, null);
      assert.equal((await login(t, 'dave@example.com', PASSWORD, '10.0.0.4')).statusCode, 200);
      // disabling revoked the old sign-in for good: re-enabling does not bring its refresh token back
      assertProblem(await refresh(t, tokens.refresh_token), 401, 'invalid_refresh_token');
    });

    it('rotates refresh tokens and revokes the whole family when one is reused', async () => {
      const id = await addUser(t, 'erin@example.com', 'viewer');
      const first = await signIn(t, 'erin@example.com');
      const rotated = await refresh(t, first.refresh_token);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const second = rotated.json();
      assert.equal(second.token_type, 'Bearer');
      assert.notEqual(second.refresh_token, first.refresh_token);
      assert.notEqual(second.access_token, first.access_token);
      const whoami = await me(t, second.access_token);
      assert.equal(whoami.statusCode, 200);
      assert.equal(whoami.json().id, id);

      const [old] = await t.database.orm
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256(first.refresh_token)));
      const [newer] = await t.database.orm
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256(second.refresh_token)));
      assert.ok(old?.rotatedAt instanceof Date);
      assert.equal(newer?.familyId, old.familyId);
      assert.equal(newer.rotatedAt, null);

      const reused = await refresh(t, first.refresh_token);
      const body = assertProblem(reused, 401, 'invalid_refresh_token');
      assert.match(String(body.detail), /reused/);
      assertProblem(await refresh(t, second.refresh_token), 401, 'invalid_refresh_token');
      const family = await t.database.orm.select().from(refreshTokens).where(eq(refreshTokens.familyId, old.familyId));
      assert.equal(family.length, 2);
      for (const token of family) assert.ok(token.revokedAt instanceof Date, 'every token of the family is revoked');
      // other sign-ins of the same user are untouched
      const fresh = await signIn(t, 'erin@example.com');
      assert.equal((await refresh(t, fresh.refresh_token)).statusCode, 200);
    });

    it('signs out: 204, and the refresh token no longer works', async () => {
      await addUser(t, 'frank@example.com', 'viewer');
      const tokens = await signIn(t, 'frank@example.com');
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refresh_token: tokens.refresh_token },
      });
      assert.equal(response.statusCode, 204);
      assert.equal(response.body, '');
      const [row] = await t.database.orm
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, sha256(tokens.refresh_token)));
      assert.ok(row?.revokedAt instanceof Date);
      const after = await refresh(t, tokens.refresh_token);
      assert.match(String(assertProblem(after, 401, 'invalid_refresh_token').detail), /revoked/);
    });

    it('rejects an unknown refresh token', async () => {
      const response = await refresh(t, `lvr_${randomUUID()}`);
      assert.match(String(assertProblem(response, 401, 'invalid_refresh_token').detail), /unknown/);
    });
  });

  describe(`user administration on ${target}`, () => {
    let t: TestApp;
    let reviewerId: string;
    let viewerId: string;
    before(async () => {
      t = await createTestApp(target);
      reviewerId = await addUser(t, 'rita@example.com', 'reviewer');
      viewerId = await addUser(t, 'victor@example.com', 'viewer');
    });
    after(() => t.close());

    it('lists users with X-Total-Count and without password hashes', async () => {
      const response = await t.request({ method: 'GET', url: '/api/v1/users', key: t.adminKey });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-total-count'], '2');
      const body = response.json<UserBody[]>();
      assert.deepEqual(
        body.map((user) => [user.id, user.email, user.role]),
        [
          [reviewerId, 'rita@example.com', 'reviewer'],
          [viewerId, 'victor@example.com', 'viewer'],
        ],
      );
      assert.ok(!response.body.includes('argon2'));
      const page = await t.request({ method: 'GET', url: '/api/v1/users?limit=1&skip=1', key: t.adminKey });
      assert.equal(page.headers['x-total-count'], '2');
      assert.deepEqual(
        page.json<UserBody[]>().map((user) => user.id),
        [viewerId],
      );
    });

    it('gets one user, 404 for an unknown id and 400 for a malformed one', async () => {
      const response = await t.request({ method: 'GET', url: `/api/v1/users/${viewerId}`, key: t.adminKey });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().id, viewerId);
      assert.equal(response.json().email, 'victor@example.com');
      assert.equal(response.json().role, 'viewer');
      const unknown = await t.request({ method: 'GET', url: `/api/v1/users/${randomUUID()}`, key: t.adminKey });
      assertProblem(unknown, 404, 'not_found');
      const malformed = await t.request({ method: 'GET', url: '/api/v1/users/not-a-uuid', key: t.adminKey });
      const body = assertProblem(malformed, 400, 'validation_failed');
      assert.equal(body.errors?.[0]?.field, 'params.id');
      const patchUnknown = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${randomUUID()}`,
        key: t.adminKey,
        payload: { role: 'admin' },
      });
      assertProblem(patchUnknown, 404, 'not_found');
    });

    it("applies a role change on the user's next request", async () => {
      const tokens = await signIn(t, 'rita@example.com');
      const before = await me(t, tokens.access_token);
      assert.ok(before.json<Identity>().scopes.includes('proposals:write'));
      const demote = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${reviewerId}`,
        key: t.adminKey,
        payload: { role: 'viewer', display_name: 'Rita' },
      });
      assert.equal(demote.statusCode, 200, demote.body);
      assert.equal(demote.json().role, 'viewer');
      assert.equal(demote.json().display_name, 'Rita');
      const row = await storedUser(t, 'rita@example.com');
      assert.equal(row?.role, 'viewer');
      assert.equal(row?.displayName, 'Rita');
      const afterwards = await me(t, tokens.access_token);
      assert.equal(afterwards.statusCode, 200);
      assert.equal(afterwards.json().role, 'viewer');
      assert.ok(!afterwards.json<Identity>().scopes.includes('proposals:write'));
      assert.deepEqual(sorted(afterwards.json().scopes), sorted(ROLE_SCOPES.viewer));
    });

    it('rejects an empty change', async () => {
      const response = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${viewerId}`,
        key: t.adminKey,
        payload: {},
      });
      assertProblem(response, 400, 'validation_failed');
    });

    it("refuses a viewer's access token with 403", async () => {
      const tokens = await signIn(t, 'victor@example.com');
      assertProblem(
        await t.request({ method: 'GET', url: '/api/v1/users', key: tokens.access_token }),
        403,
        'forbidden',
      );
      const patch = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${viewerId}`,
        key: tokens.access_token,
        payload: { role: 'admin' },
      });
      assertProblem(patch, 403, 'forbidden');
      assert.equal((await storedUser(t, 'victor@example.com'))?.role, 'viewer');
      assertProblem(await t.request({ method: 'GET', url: '/api/v1/users' }), 401, 'unauthorized');
    });
  });
}
