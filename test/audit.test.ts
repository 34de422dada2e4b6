import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { count, eq } from 'drizzle-orm';
import { createUser } from '../src/accounts/user-store.js';
import { auditLog } from '../src/db/schema.js';
import type { ProblemBody } from '../src/server/problem.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const PASSWORD = 'correct horse battery staple';

type AuditEntry = {
  id: number;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target: string | null;
  request_id: string | null;
  status_code: number | null;
  ip: string | null;
};

/** The audit row of a request, once the after-response write has landed. */
function auditOf(t: TestApp, response: { headers: Record<string, unknown> }) {
  const requestId = String(response.headers['x-request-id']);
  return eventually(t.writes, async () => {
    const [row] = await t.database.orm.select().from(auditLog).where(eq(auditLog.requestId, requestId));
    return row;
  });
}

async function rowsFor(t: TestApp, requestId: string) {
  return t.database.orm.select().from(auditLog).where(eq(auditLog.requestId, requestId));
}

async function whoIs(t: TestApp, key: string): Promise<{ id: string; label: string }> {
  const response = await t.request({ method: 'GET', url: '/api/v1/auth/me', key });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

function audit(t: TestApp, query: string, key = t.adminKey) {
  return t.request({ method: 'GET', url: `/api/v1/audit${query}`, key });
}

function assertProblem(response: LightMyRequestResponse, status: number, code: string): ProblemBody {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json<ProblemBody>();
  assert.equal(body.code, code);
  return body;
}

for (const target of databaseTargets()) {
  describe(`audit log on ${target}`, () => {
    let t: TestApp;
    let admin: { id: string; label: string };
    before(async () => {
      t = await createTestApp(target);
      admin = await whoIs(t, t.adminKey);
    });
    after(() => t.close());

    it('records a mutating request after the response: actor, action, request id and status', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        key: t.adminKey,
        payload: { name: 'audited', scopes: ['repos:read'] },
      });
      assert.equal(response.statusCode, 201, response.body);
      const row = await auditOf(t, response);
      assert.equal(row.actorType, 'api_key');
      assert.equal(row.actorId, admin.id);
      assert.equal(row.actorLabel, admin.label);
      assert.equal(row.action, 'POST /api/v1/api-keys');
      assert.equal(row.target, null);
      assert.equal(row.requestId, response.headers['x-request-id']);
      assert.equal(row.statusCode, 201);
      assert.equal(row.ip, '127.0.0.1');
      assert.ok(Math.abs(row.at.getTime() - Date.now()) < 60_000);
      assert.equal((await rowsFor(t, String(row.requestId))).length, 1);
      // a caller's own request id is kept
      const echoed = await t.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        key: t.adminKey,
        headers: { 'x-request-id': 'audit-trace-1' },
        payload: { name: 'traced', scopes: ['repos:read'] },
      });
      assert.equal(echoed.headers['x-request-id'], 'audit-trace-1');
      assert.equal((await auditOf(t, echoed)).statusCode, 201);
    });

    it('records the :id of a DELETE as its target, and failed attempts too', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        key: t.adminKey,
        payload: { name: 'to revoke', scopes: ['repos:read'] },
      });
      const id: string = created.json().id;
      const revoke = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, key: t.adminKey });
      assert.equal(revoke.statusCode, 200);
      const row = await auditOf(t, revoke);
      assert.equal(row.action, 'DELETE /api/v1/api-keys/:id');
      assert.equal(row.target, id);
      assert.equal(row.statusCode, 200);
      assert.equal(row.actorId, admin.id);
      const again = await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, key: t.adminKey });
      assert.equal(again.statusCode, 409);
      const failed = await auditOf(t, again);
      assert.equal(failed.target, id);
      assert.equal(failed.statusCode, 409);
      assert.equal(failed.action, 'DELETE /api/v1/api-keys/:id');
    });

    it('records failed sign-ins and unauthenticated attempts as anonymous', async () => {
      const login = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'nobody@example.com', password: 'wrong password' },
      });
      assert.equal(login.statusCode, 401);
      const row = await auditOf(t, login);
      assert.equal(row.actorType, 'anonymous');
      assert.equal(row.actorId, null);
      assert.equal(row.actorLabel, null);
      assert.equal(row.action, 'POST /api/v1/auth/login');
      assert.equal(row.statusCode, 401);
      const noKey = await t.request({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'anonymous', scopes: ['admin'] },
      });
      assert.equal(noKey.statusCode, 401);
      const denied = await auditOf(t, noKey);
      assert.equal(denied.actorType, 'anonymous');
      assert.equal(denied.action, 'POST /api/v1/api-keys');
      assert.equal(denied.statusCode, 401);
      const badKey = await t.request({
        method: 'DELETE',
        url: `/api/v1/api-keys/${admin.id}`,
        key: `lvl_${'x'.repeat(43)}`,
      });
      assert.equal(badKey.statusCode, 401);
      const badKeyRow = await auditOf(t, badKey);
      assert.equal(badKeyRow.actorType, 'anonymous');
      assert.equal(badKeyRow.target, admin.id);
    });

    it('records a signed-in user as the actor', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/users',
        key: t.adminKey,
        payload: { email: 'ann@example.com', password: PASSWORD, role: 'reviewer' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal((await auditOf(t, created)).action, 'POST /api/v1/users');
      const login = await t.request({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'ann@example.com', password: PASSWORD },
      });
      assert.equal(login.statusCode, 200);
      // signing in is anonymous: the caller is not yet known when the request arrives
      assert.equal((await auditOf(t, login)).actorType, 'anonymous');
      const forbidden = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${created.json().id}`,
        key: login.json().access_token,
        payload: { role: 'admin' },
      });
      assert.equal(forbidden.statusCode, 403);
      const row = await auditOf(t, forbidden);
      assert.equal(row.actorType, 'user');
      assert.equal(row.actorId, created.json().id);
      assert.equal(row.actorLabel, 'ann@example.com');
      assert.equal(row.action, 'PATCH /api/v1/users/:id');
      assert.equal(row.target, created.json().id);
      assert.equal(row.statusCode, 403);
    });

    it('does not record GET requests', async () => {
      const reads = [
        await t.request({ method: 'GET', url: '/api/v1/api-keys', key: t.adminKey }),
        await t.request({ method: 'GET', url: '/api/v1/auth/me', key: t.adminKey }),
        await t.request({ method: 'GET', url: '/api/v1/users' }),
        await audit(t, ''),
      ];
      assert.deepEqual(
        reads.map((response) => response.statusCode),
        [200, 200, 401, 200],
      );
      // a mutating request sent afterwards is recorded, so the reads' hooks have run by then
      const write = await t.request({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refresh_token: 'lvr_unknown' },
      });
      assert.equal(write.statusCode, 204);
      assert.equal((await auditOf(t, write)).statusCode, 204);
      for (const read of reads) assert.deepEqual(await rowsFor(t, String(read.headers['x-request-id'])), []);
    });

    it('lists entries newest first with X-Total-Count', async () => {
      const response = await audit(t, '?limit=500');
      assert.equal(response.statusCode, 200);
      const [stored] = await t.database.orm.select({ total: count() }).from(auditLog);
      assert.equal(response.headers['x-total-count'], String(stored!.total));
      const entries: AuditEntry[] = response.json();
      assert.equal(entries.length, stored!.total);
      assert.ok(entries.length >= 10, String(entries.length));
      const ids = entries.map((entry) => entry.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
      );
      const first = entries[entries.length - 1]!;
      assert.equal(first.action, 'POST /api/v1/api-keys');
      assert.equal(first.actor_type, 'api_key');
      assert.equal(first.actor_id, admin.id);
      assert.equal(first.status_code, 201);
      assert.ok(!Number.isNaN(Date.parse(first.at)));
      const page = await audit(t, '?limit=2&skip=1');
      assert.equal(page.headers['x-total-count'], String(stored!.total));
      assert.deepEqual(
        page.json<AuditEntry[]>().map((entry) => entry.id),
        ids.slice(1, 3),
      );
    });

    it('filters by actor_id, action and time', async () => {
      const owner = await createUser(t.database.orm, {
        email: `writer-${Date.now()}@example.com`,
        password: 'a long enough password',
        role: 'viewer',
      });
      const writer = await t.createKey(['keys:write'], { userId: owner.id });
      const { id: writerId } = await whoIs(t, writer);
      const create = async (name: string) => {
        const response = await t.request({
          method: 'POST',
          url: '/api/v1/api-keys',
          key: writer,
          payload: { name, scopes: ['keys:write'] },
        });
        assert.equal(response.statusCode, 201);
        return auditOf(t, response);
      };
      const a = await create('a');
      const b = await create('b');
      const c = await create('c');
      // The entries' times are the database's; set apart by a second each, they leave room for the marks.
      const base = Date.now();
      for (const [index, entry] of [a, b, c].entries()) {
        await t.database.orm
          .update(auditLog)
          .set({ at: new Date(base + index * 1000) })
          .where(eq(auditLog.id, entry.id));
      }
      const sinceMark = new Date(base + 500);
      const untilMark = new Date(base + 1500);

      const byActor = await audit(t, `?actor_id=${writerId}`);
      assert.equal(byActor.statusCode, 200);
      assert.equal(byActor.headers['x-total-count'], '3');
      assert.deepEqual(
        byActor.json<AuditEntry[]>().map((entry) => entry.id),
        [c.id, b.id, a.id],
      );
      for (const entry of byActor.json<AuditEntry[]>()) {
        assert.equal(entry.actor_id, writerId);
        assert.equal(entry.actor_type, 'api_key');
      }

      const byAction = await audit(t, `?action=${encodeURIComponent('DELETE /api/v1/api-keys/:id')}&limit=500`);
      const deletes = await t.database.orm
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'DELETE /api/v1/api-keys/:id'));
      assert.ok(deletes.length >= 2);
      assert.equal(byAction.headers['x-total-count'], String(deletes.length));
      assert.deepEqual(
        byAction.json<AuditEntry[]>().map((entry) => entry.id),
        deletes.map((entry) => entry.id).sort((x, y) => y - x),
      );
      const none = await audit(t, '?action=GET%20%2Fapi%2Fv1%2Fapi-keys');
      assert.equal(none.headers['x-total-count'], '0');
      assert.deepEqual(none.json(), []);

      const actor = `actor_id=${writerId}`;
      const since = `since=${encodeURIComponent(sinceMark.toISOString())}`;
      const until = `until=${encodeURIComponent(untilMark.toISOString())}`;
      const ids = async (query: string) => {
        const response = await audit(t, `?${query}`);
        assert.equal(response.statusCode, 200, response.body);
        return response.json<AuditEntry[]>().map((entry) => entry.id);
      };
      assert.deepEqual(await ids(`${actor}&${since}`), [c.id, b.id]);
      assert.deepEqual(await ids(`${actor}&${until}`), [b.id, a.id]);
      assert.deepEqual(await ids(`${actor}&${since}&${until}`), [b.id]);
      // an offset other than Z means the same instant
      const shifted = new Date(sinceMark.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      assert.deepEqual(await ids(`${actor}&since=${encodeURIComponent(shifted)}`), [c.id, b.id]);
    });

    it('is for admins only, and validates its query', async () => {
      const reader = await t.createKey(['keys:read', 'metrics:read']);
      assertProblem(await audit(t, '', reader), 403, 'forbidden');
      assertProblem(await audit(t, '', 'nonsense'), 401, 'unauthorized');
      const bad = await audit(t, '?since=yesterday');
      const body = assertProblem(bad, 400, 'validation_failed');
      assert.equal(body.errors?.[0]?.field, 'querystring.since');
      assert.equal(body.request_id, bad.headers['x-request-id']);
      const badType = await audit(t, '?actor_type=robot');
      assert.equal(assertProblem(badType, 400, 'validation_failed').errors?.[0]?.field, 'querystring.actor_type');
    });
  });
}
