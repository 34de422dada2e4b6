import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

type Problem = { code: string; errors?: { field: string; message: string }[] };

for (const target of databaseTargets()) {
  describe(`text PostgreSQL cannot store (NUL, lone surrogates) on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target);
    });
    after(() => t.close());

    async function refused(
      method: 'GET' | 'POST',
      url: string,
      payload: string | undefined,
      key: string | undefined,
    ): Promise<Problem> {
      const response = await t.request({
        method,
        url,
        key,
        ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
      });
      assert.equal(response.statusCode, 400, `${method} ${url}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      return response.json<Problem>();
    }

    it('refuses them in the body, the query and the path with 400 naming the field', async () => {
      const cases: [method: 'GET' | 'POST', url: string, payload: string | undefined, field: string][] = [
        // Before anyone is signed in.
        ['POST', '/api/v1/auth/login', '{"email":"a\\u0000b","password":"x"}', 'body.email'],
        ['GET', '/proposals?rule_id=%00', undefined, 'querystring.rule_id'],
        ['GET', '/api/v1/audit?action=%00', undefined, 'querystring.action'],
        ['GET', '/api/v1/tasks?agent_type=a%00', undefined, 'querystring.agent_type'],
        ['GET', '/agents/%00/metrics', undefined, 'params.agent_type'],
        [
          'POST',
          '/proposals',
          '{"ai_type":"imperium","changes":[{"file_path":"a.ts","code_before":"","code_after":"x\\u0000"}]}',
          'body.changes.0.code_after',
        ],
        ['POST', '/proposals', '{"ai_type":"imperium","description":"\\ud800"}', 'body.description'],
        ['POST', '/api/v1/api-keys', '{"name":"k\\udfff","scopes":["admin"]}', 'body.name'],
        // A key is refused too (a record's keys are stored as they are, in jsonb).
        ['POST', '/api/v1/agents', '{"name":"n","config":{"a\\u0000":1}}', 'body.config."a\\u0000"'],
      ];
      for (const [method, url, payload, field] of cases) {
        const key = url.startsWith('/api/v1/auth') ? undefined : t.adminKey;
        const problem = await refused(method, url, payload, key);
        assert.equal(problem.code, 'validation_failed');
        assert.deepEqual(
          problem.errors?.map((error) => error.field),
          [field],
          `${method} ${url}`,
        );
        assert.match(problem.errors?.[0]?.message ?? '', /U\+0000|lone UTF-16 surrogate/);
      }
    });

    it('still audits a refused mutating request, with the bad characters replaced', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/proposals/a%00b/reject',
        key: t.adminKey,
        payload: { reason: 'no' },
      });
      assert.equal(response.statusCode, 400);
      const requestId = String(response.headers['x-request-id']);
      const entry = await eventually(t.writes, async () => {
        const listed = await t.request({
          method: 'GET',
          url: `/api/v1/audit?action=${encodeURIComponent('POST /proposals/:id/reject')}`,
          key: t.adminKey,
        });
        return listed
          .json<{ request_id: string; target: string; status_code: number }[]>()
          .find((candidate) => candidate.request_id === requestId);
      });
      assert.equal(entry.status_code, 400);
      assert.equal(entry.target, 'a\ufffdb');
    });
  });
}
