import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { agents, tasks } from '../src/db/schema.js';
import type { TestApp } from './support/app.js';
import { useAgentsApi, type AgentStatus, type Task } from './support/agents-api.js';
import { databaseTargets } from './support/database.js';
import { createRepository } from './support/repository-fixtures.js';

for (const target of databaseTargets()) {
  describe(`running agents, their metrics and records on ${target}`, () => {
    const api = useAgentsApi(target);
    const { orm, run, get, post, started, finished, agentOf, taskCount } = api;
    let t: TestApp;
    let workspace: string;
    let reader: string;
    before(() => {
      ({ t, workspace, reader } = api);
    });

    describe('POST /agents/{agent_type}/run', () => {
      it('answers 202 with the queued task and a Location, and the worker runs it to success', async () => {
        const response = await run('scripted', { label: 'first' });
        assert.equal(response.statusCode, 202, response.body);
        const task = response.json<Task>();
        assert.equal(response.headers.location, `/api/v1/tasks/${task.id}`);
        assert.equal(task.agent_type, 'scripted');
        assert.equal(task.trigger, 'manual');
        assert.ok(['queued', 'running'].includes(task.status), task.status);
        assert.deepEqual(task.input, {
          label: 'first',
          work_ms: 0,
          fail_attempts: 0,
          fail_code: 'flaky',
          retryable: true,
          ignore_abort: false,
          log_lines: 0,
        });
        assert.match(task.created_by ?? '', /^api key test agents:read,agents:run/);
        const done = await finished(task.id);
        assert.equal(done.status, 'succeeded');
        assert.deepEqual(done.result, { attempt: 1, label: 'first' });
        const [stored] = await orm().select().from(tasks).where(eq(tasks.id, task.id));
        assert.equal(stored!.status, 'succeeded');
        assert.equal(stored!.createdBy, task.created_by);
      });

      it('takes the input under `input` too, and no body at all', async () => {
        const wrapped = await started('scripted', { input: { label: 'wrapped' } });
        assert.equal(wrapped.input.label, 'wrapped');
        const bare = await started('scripted');
        assert.equal(bare.input.label, undefined);
        assert.equal((await finished(wrapped.id)).status, 'succeeded');
        assert.equal((await finished(bare.id)).status, 'succeeded');
      });

      it('refuses input that does not match the agent with 400 naming each field, and stores nothing', async () => {
        const before = await taskCount();
        const topLevel = await run('scripted', { work_ms: 'soon', nonsense: 1 });
        assert.equal(topLevel.statusCode, 400, topLevel.body);
        assert.match(String(topLevel.headers['content-type']), /^application\/problem\+json/);
        const body = topLevel.json();
        assert.equal(body.code, 'validation_failed');
        assert.deepEqual(body.errors.map((error: { field: string }) => error.field).sort(), [
          'body.nonsense',
          'body.work_ms',
        ]);
        const wrapped = await run('scripted', { input: { work_ms: -1 } });
        assert.equal(wrapped.statusCode, 400);
        assert.deepEqual(
          wrapped.json().errors.map((error: { field: string }) => error.field),
          ['body.input.work_ms'],
        );
        const both = await run('scripted', { input: {}, label: 'x' });
        assert.equal(both.statusCode, 400);
        assert.equal(both.json().errors[0].field, 'body.label');
        const notAnObject = await run('scripted', [1, 2]);
        assert.equal(notAnObject.statusCode, 400);
        assert.equal(await taskCount(), before);
      });

      it('answers 404 unknown_agent for an agent type that is not registered', async () => {
        const response = await run('nobody', {});
        assert.equal(response.statusCode, 404);
        assert.equal(response.json().code, 'unknown_agent');
      });

      it('answers a repeated Idempotency-Key with 200 and the first task, and 409 when the input differs', async () => {
        const first = await run('scripted', { label: 'once' }, { idempotencyKey: 'deploy-42' });
        assert.equal(first.statusCode, 202, first.body);
        const again = await run('scripted', { label: 'once' }, { idempotencyKey: 'deploy-42' });
        assert.equal(again.statusCode, 200, again.body);
        assert.equal(again.json().id, first.json().id);
        assert.equal(again.headers.location, first.headers.location);
        const different = await run('scripted', { label: 'twice' }, { idempotencyKey: 'deploy-42' });
        assert.equal(different.statusCode, 409);
        assert.equal(different.json().code, 'idempotency_key_reused');
        assert.equal(different.json().task_id, first.json().id);
        const stored = await orm().select().from(tasks).where(eq(tasks.idempotencyKey, 'api:scripted:deploy-42'));
        assert.equal(stored.length, 1);
        const badKey = await run('scripted', {}, { idempotencyKey: 'has space' });
        assert.equal(badKey.statusCode, 400);
        assert.equal(badKey.json().errors[0].field, 'headers.idempotency-key');
      });

      it('needs the agents:run scope', async () => {
        const refused = await run('scripted', {}, { key: reader });
        assert.equal(refused.statusCode, 403);
        assert.match(refused.json().detail, /agents:run scope/);
        assert.equal((await get('/agents/status', reader)).statusCode, 200);
        const noScope = await t.createKey(['proposals:read']);
        assert.equal((await get('/agents/status', noScope)).statusCode, 403);
        assert.equal((await get('/api/v1/tasks', noScope)).statusCode, 403);
      });

      it('runs a built-in agent: guardian scans a registered repository', async () => {
        const none = await finished((await started('guardian', {})).id);
        assert.equal(none.status, 'succeeded', JSON.stringify(none.error));
        assert.equal(none.result?.kind, 'guardian_scan');
        assert.deepEqual(none.result?.repositories, []);

        const folder = path.join(workspace, 'project');
        const head = await createRepository(folder, {
          'src/app.ts': 'export const a = 1;\n',
          'src/util.js': 'module.exports = 2;\n',
          'tool.py': 'print(3)\n',
          'README.md': '# project\n',
        });
        const registered = await t.request({
          method: 'POST',
          url: '/api/v1/repositories',
          key: t.adminKey,
          payload: { path: folder },
        });
        assert.equal(registered.statusCode, 201, registered.body);
        const repositoryId = registered.json().id as string;
        const done = await finished((await started('guardian', { repository_id: repositoryId })).id, 30_000);
        assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
        const [scanned] = done.result?.repositories as Record<string, unknown>[];
        assert.equal(scanned?.repository_id, repositoryId);
        assert.equal(scanned?.head_commit, head);
        assert.equal(scanned?.files_total, 4);
        assert.equal(scanned?.files_in_scope, 3);
        assert.equal(scanned?.files_scanned, 3);
        assert.equal(scanned?.findings, 0);
        const logs = (await get(`/api/v1/tasks/${done.id}/logs`)).json();
        assert.match(logs.items[0].message, /^project@[0-9a-f]{12}: 3 of 4 files in scope, \d+ rules$/);

        const badId = await run('guardian', { repository_id: 'not-a-uuid' });
        assert.equal(badId.statusCode, 400);
        assert.equal(badId.json().errors[0].field, 'body.repository_id');
      });

      it('answers 404 at submission for a repository, proposal or experiment that does not exist, storing no task', async () => {
        const before = await taskCount();
        const unknown = '00000000-0000-4000-8000-000000000000';
        const seed = await run('guardian', { repository_id: unknown });
        assert.equal(seed.statusCode, 404, seed.body);
        assert.equal(seed.json().code, 'repository_not_found');
        assert.equal(seed.json().status, 404);
        assert.deepEqual(seed.json().errors, [{ field: 'body.repository_id', message: 'names no repository' }]);
        const wrapped = await run('imperium', { input: { repository_id: unknown } });
        assert.equal(wrapped.statusCode, 404, wrapped.body);
        assert.equal(wrapped.json().errors[0].field, 'body.input.repository_id');
        const sandbox = await run('sandbox', { proposal_id: unknown });
        assert.equal(sandbox.statusCode, 404, sandbox.body);
        assert.equal(sandbox.json().code, 'proposal_not_found');
        const byId = await post(`/api/v1/agents/${(await agentOf('guardian')).id}/tasks`, {
          input: { repository_id: unknown },
        });
        assert.equal(byId.statusCode, 404, byId.body);
        assert.equal(byId.json().errors[0].field, 'body.input.repository_id');
        assert.equal(await taskCount(), before);
      });
    });

    describe('GET /agents/{agent_type}/metrics', () => {
      it('counts exactly the stored runs: outcomes, success rate, duration, retries and dead letters', async () => {
        const ids = [
          (await started('measured', { work_ms: 20 })).id,
          (await started('measured', { fail_attempts: 1 })).id, // succeeds on its second attempt
          (await started('measured', { fail_attempts: 9 })).id, // fails all three attempts: a dead letter
        ];
        const outcomes = [];
        for (const id of ids) outcomes.push((await finished(id)).status);
        assert.deepEqual(outcomes, ['succeeded', 'succeeded', 'failed']);
        const stored = await orm().select().from(tasks).where(eq(tasks.agentType, 'measured'));
        assert.equal(stored.length, 3, 'only the tests’ tasks ran for this agent');
        const meanMs = stored.reduce((sum, row) => sum + (row.finishedAt!.getTime() - row.startedAt!.getTime()), 0) / 3;

        const response = await get('/agents/measured/metrics');
        assert.equal(response.statusCode, 200, response.body);
        const metrics = response.json();
        assert.equal(metrics.agent_type, 'measured');
        assert.equal(metrics.since, null);
        assert.equal(metrics.runs, 3);
        assert.equal(metrics.succeeded, 2);
        assert.equal(metrics.failed, 1);
        assert.equal(metrics.cancelled, 0);
        assert.equal(metrics.success_rate, 2 / 3);
        assert.equal(metrics.retries, 1 + 2);
        assert.equal(metrics.dead_letters, 1);
        // Stored timestamps have microseconds; JavaScript dates keep milliseconds.
        assert.ok(Math.abs(metrics.mean_duration_ms - meanMs) < 1, `${metrics.mean_duration_ms} vs ${meanMs}`);
        assert.equal(metrics.proposals_created, 0);
        assert.equal(metrics.xp, 0, 'no learning history yet');
        assert.equal(metrics.level, 1);
        assert.equal(metrics.learning_score, null);

        const future = await get(`/agents/measured/metrics?since=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
        assert.deepEqual(
          { ...future.json<Record<string, unknown>>(), since: null },
          {
            ...metrics,
            since: null,
            runs: 0,
            succeeded: 0,
            failed: 0,
            success_rate: null,
            mean_duration_ms: null,
            retries: 0,
            dead_letters: 0,
          },
        );
        assert.equal((await get('/agents/measured/metrics?since=2000-01-01')).json().runs, 3);
        assert.equal((await get('/agents/measured/metrics?since=yesterday')).statusCode, 400);
        assert.equal((await get('/agents/nobody/metrics')).statusCode, 404);
      });

      it('counts the proposals of the agent type and their verdicts', async () => {
        const writer = await t.createKey(['proposals:read', 'proposals:write']);
        const created: string[] = [];
        for (const suffix of ['a', 'b', 'c']) {
          const response = await t.request({
            method: 'POST',
            url: '/proposals/',
            key: writer,
            payload: {
              ai_type: 'guardian',
              file_path: `src/check-${suffix}.js`,
              code_before: 'eval(input);\n',
              code_after: 'JSON.parse(input);\n',
            },
          });
          assert.equal(response.statusCode, 201, response.body);
          created.push(response.json().id);
        }
        const accept = await t.request({
          method: 'POST',
          url: `/proposals/${created[0]}/accept`,
          key: writer,
          payload: { reason: 'correct' },
        });
        assert.equal(accept.statusCode, 200, accept.body);
        const reject = await t.request({
          method: 'POST',
          url: `/proposals/${created[1]}/reject`,
          key: writer,
          payload: { reason: 'style' },
        });
        assert.equal(reject.statusCode, 200, reject.body);
        const metrics = (await get('/agents/guardian/metrics')).json();
        assert.equal(metrics.proposals_created, 3);
        assert.equal(metrics.proposals_accepted, 1);
        assert.equal(metrics.proposals_rejected, 1);
        assert.equal((await get('/agents/imperium/metrics')).json().proposals_created, 0);
      });
    });

    describe('/api/v1/agents', () => {
      it('lists agents with filters and paging, and gets one with its input schema', async () => {
        const all = await get('/api/v1/agents?limit=2&skip=1');
        assert.equal(all.statusCode, 200, all.body);
        const total = Number(all.headers['x-total-count']);
        assert.ok(total >= 9, `total ${total}`);
        assert.equal(all.json().length, 2);
        const guardian = await get('/api/v1/agents?type=guardian');
        assert.equal(guardian.headers['x-total-count'], '1');
        const [entry] = guardian.json();
        assert.equal(entry.name, 'guardian');
        assert.equal(entry.registered, true);
        assert.equal(entry.concurrency, 2);
        assert.equal(entry.input_schema.properties.repository_id.format, 'uuid');
        const one = await get(`/api/v1/agents/${entry.id}`);
        assert.deepEqual(one.json(), entry);
        assert.equal((await get(`/api/v1/agents/${randomUUID()}`)).statusCode, 404);
        const malformed = await get('/api/v1/agents/not-a-uuid');
        assert.equal(malformed.statusCode, 400);
        assert.equal(malformed.json().errors[0].field, 'params.id');
        assert.equal((await get('/api/v1/agents?status=sleeping')).statusCode, 400);
      });

      it('submits a task to an agent by id with a priority, and lists that agent’s tasks', async () => {
        const agent = await agentOf('measured');
        const response = await post(`/api/v1/agents/${agent.id}/tasks`, { input: { label: 'by id' }, priority: 7 });
        assert.equal(response.statusCode, 202, response.body);
        const task = response.json<Task>();
        assert.equal(response.headers.location, `/api/v1/tasks/${task.id}`);
        assert.equal(task.agent_id, agent.id);
        assert.equal(task.priority, 7);
        assert.equal((await finished(task.id)).result?.label, 'by id');

        const invalid = await post(`/api/v1/agents/${agent.id}/tasks`, { input: { work_ms: 'soon' } });
        assert.equal(invalid.statusCode, 400);
        assert.equal(invalid.json().errors[0].field, 'body.input.work_ms');
        assert.equal((await post(`/api/v1/agents/${randomUUID()}/tasks`, {})).statusCode, 404);

        const listed = await get(`/api/v1/agents/${agent.id}/tasks?limit=2`);
        assert.equal(listed.statusCode, 200);
        assert.equal(listed.headers['x-total-count'], '4');
        assert.deepEqual(
          listed.json().map((entry: Task) => entry.id),
          [
            task.id,
            (
              await orm()
                .select()
                .from(tasks)
                .where(eq(tasks.agentType, 'measured'))
                .orderBy(sql`created_at desc`)
            )[1]!.id,
          ],
        );
      });

      it('answers 409 for an agent whose type this process does not run, yet keeps its record readable', async () => {
        const [retired] = await orm()
          .insert(agents)
          .values({ type: 'retired', name: 'retired', description: 'no longer registered' })
          .returning();
        const response = await post(`/api/v1/agents/${retired!.id}/tasks`, {});
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().code, 'agent_not_registered');
        const listed = (await get('/api/v1/agents?type=retired')).json();
        assert.equal(listed[0].registered, false);
        assert.equal(listed[0].input_schema, null);
        assert.equal((await get('/agents/retired/metrics')).json().runs, 0);
        assert.equal(
          (await get('/agents/status')).json().some((entry: AgentStatus) => entry.type === 'retired'),
          false,
        );
        assert.equal((await run('retired', {})).statusCode, 404);
      });
    });
  });
}
