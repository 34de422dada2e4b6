import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import { agents, events, schedules, tasks } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository } from './support/repository-fixtures.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

interface Task {
  id: string;
  agent_id: string;
  agent_type: string;
  status: string;
  trigger: string;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  attempts: number;
  priority: number;
  dead_letter: boolean;
  retry_of: string | null;
  cancel_requested: boolean;
  created_by: string | null;
  started_at: string | null;
  finished_at: string | null;
}

interface AgentStatus {
  id: string;
  type: string;
  status: string;
  current_task: { id: string; progress: number; started_at: string | null } | null;
  last_run: { id: string; status: string; finished_at: string | null } | null;
  next_run: string | null;
  queue_depth: number;
  running: number;
}

const FINAL = ['succeeded', 'failed', 'cancelled'];

for (const target of databaseTargets()) {
  describe(`agents and tasks API on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let reader: string;
    let runner: string;
    const orm = () => t.database.orm;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-agents-api-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        agents: testRegistry(
          scriptedAgent({ type: 'measured' }),
          scriptedAgent({ type: 'pausable' }),
          scriptedAgent({ type: 'witness' }),
          scriptedAgent({ type: 'narrow', concurrency: 1 }),
          scriptedAgent({ type: 'retried', maxAttempts: 1 }),
        ),
        worker: { pollIntervalMs: 100, abortGraceMs: 300, backoff: { baseMs: 50, capMs: 200 } },
      });
      reader = await t.createKey(['agents:read']);
      runner = await t.createKey(['agents:read', 'agents:run']);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const run = (agentType: string, payload?: unknown, options: { key?: string; idempotencyKey?: string } = {}) =>
      t.request({
        method: 'POST',
        url: `/agents/${agentType}/run`,
        key: options.key ?? runner,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
        ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
      });
    const get = (url: string, key = reader) => t.request({ method: 'GET', url, key });
    const post = (url: string, payload?: Record<string, unknown>, key = runner) =>
      t.request({ method: 'POST', url, key, ...(payload ? { payload } : {}) });

    const started = async (agentType: string, payload?: unknown) => {
      const response = await run(agentType, payload);
      assert.equal(response.statusCode, 202, response.body);
      return response.json<Task>();
    };
    const taskNow = async (id: string) => {
      const response = await get(`/api/v1/tasks/${id}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json<Task>();
    };
    const finished = (id: string, timeoutMs = 60_000) =>
      eventually(async () => {
        const task = await taskNow(id);
        return FINAL.includes(task.status) ? task : undefined;
      }, timeoutMs);
    const running = (id: string) =>
      eventually(async () => ((await taskNow(id)).status === 'running' ? true : undefined));
    const agentOf = async (type: string) => (await orm().select().from(agents).where(eq(agents.type, type)))[0]!;
    const statusOf = async (type: string) => {
      const response = await get('/agents/status');
      assert.equal(response.statusCode, 200, response.body);
      return response.json<AgentStatus[]>().find((entry) => entry.type === type)!;
    };
    const taskCount = async () =>
      (
        await orm()
          .select({ count: sql<number>`count(*)::int` })
          .from(tasks)
      )[0]!.count;

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

    describe('status, pause and resume', () => {
      it('shows the running task, the queue depth and the last run of each agent', async () => {
        const long = await started('narrow', { work_ms: 30_000 });
        await running(long.id);
        const waiting = await started('narrow', {});
        const status = await eventually(async () => {
          const entry = await statusOf('narrow');
          return entry.current_task?.id === long.id && entry.queue_depth === 1 ? entry : undefined;
        });
        assert.equal(status.status, 'running');
        assert.equal(status.running, 1);
        assert.equal(status.current_task?.progress, 50);
        assert.ok(status.current_task?.started_at);
        assert.equal(status.last_run, null);
        // The scheduler keeps a schedule row per agent; the status shows it while it is enabled.
        const [schedule] = await orm().select().from(schedules).where(eq(schedules.agentType, 'narrow'));
        assert.equal(status.next_run, schedule?.enabled ? schedule.nextRunAt.toISOString() : null);
        assert.equal(status.id, (await agentOf('narrow')).id);

        const cancelled = await post(`/api/v1/tasks/${long.id}/cancel`);
        assert.equal(cancelled.statusCode, 202, cancelled.body);
        assert.equal(cancelled.json().cancel_requested, true);
        const done = await finished(long.id);
        assert.equal(done.status, 'cancelled');
        assert.equal(done.error?.code, 'cancelled');
        assert.equal((await finished(waiting.id)).status, 'succeeded');
        const later = await eventually(async () => {
          const entry = await statusOf('narrow');
          return entry.last_run?.id === waiting.id ? entry : undefined;
        });
        assert.equal(later.last_run?.status, 'succeeded');
        assert.equal(later.current_task, null);
        assert.equal(later.queue_depth, 0);

        const again = await post(`/api/v1/tasks/${long.id}/cancel`);
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().code, 'task_finished');
        assert.equal(again.json().current_status, 'cancelled');
      });

      it('shows the next run of an enabled schedule, and none of a disabled one', async () => {
        const next = new Date(Date.now() + 3_600_000);
        await orm()
          .insert(schedules)
          .values({ agentType: 'narrow', intervalSeconds: 3600, nextRunAt: next })
          .onConflictDoUpdate({ target: schedules.agentType, set: { nextRunAt: next, enabled: true } });
        assert.equal((await statusOf('narrow')).next_run, next.toISOString());
        await orm().update(schedules).set({ enabled: false }).where(eq(schedules.agentType, 'narrow'));
        assert.equal((await statusOf('narrow')).next_run, null);
      });

      it('pausing keeps new tasks queued until the agent is resumed', async () => {
        const agent = await agentOf('pausable');
        const paused = await post(`/api/v1/agents/${agent.id}/pause`);
        assert.equal(paused.statusCode, 200, paused.body);
        assert.equal(paused.json().status, 'paused');
        const twice = await post(`/api/v1/agents/${agent.id}/pause`);
        assert.equal(twice.statusCode, 200);
        assert.equal(twice.json().status, 'paused');

        const task = await started('pausable', {});
        // A task of another agent started after it: the pass of the queue that runs it read every pending
        // task, the paused agent's included, and left that one queued.
        assert.equal((await finished((await started('witness', {})).id)).status, 'succeeded');
        assert.equal((await taskNow(task.id)).status, 'queued');
        const status = await statusOf('pausable');
        assert.equal(status.status, 'paused');
        assert.equal(status.queue_depth, 1);
        const listed = await get('/api/v1/agents?status=paused');
        assert.deepEqual(
          listed.json().map((entry: { type: string }) => entry.type),
          ['pausable'],
        );

        const resumed = await post(`/api/v1/agents/${agent.id}/resume`);
        assert.equal(resumed.statusCode, 200, resumed.body);
        assert.equal(resumed.json().status, 'idle');
        assert.equal((await finished(task.id)).status, 'succeeded');
        // The agent's status is settled just after its last task's outcome is written.
        await eventually(async () => ((await statusOf('pausable')).status === 'idle' ? true : undefined));
        assert.equal((await post(`/api/v1/agents/${agent.id}/resume`)).json().status, 'idle');

        const published = await orm()
          .select({ type: events.type })
          .from(events)
          .where(and(eq(events.topic, 'agents'), sql`${events.data}->'agent'->>'id' = ${agent.id}`))
          .orderBy(asc(events.id));
        const types = published.map((row) => row.type);
        assert.equal(types.filter((type) => type === 'agent.paused').length, 1);
        assert.equal(types.filter((type) => type === 'agent.resumed').length, 1);
        assert.equal((await post(`/api/v1/agents/${agent.id}/pause`, undefined, reader)).statusCode, 403);
      });

      it('cancels a waiting task at once with 200', async () => {
        const agent = await agentOf('pausable');
        await post(`/api/v1/agents/${agent.id}/pause`);
        try {
          const task = await started('pausable', {});
          const cancelled = await post(`/api/v1/tasks/${task.id}/cancel`);
          assert.equal(cancelled.statusCode, 200, cancelled.body);
          assert.equal(cancelled.json().status, 'cancelled');
          assert.ok(cancelled.json().finished_at);
        } finally {
          await post(`/api/v1/agents/${agent.id}/resume`);
        }
        assert.equal((await post(`/api/v1/tasks/${randomUUID()}/cancel`)).statusCode, 404);
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

    describe('/api/v1/tasks', () => {
      it('retries a failed task as a new task and takes the old one out of the dead letters', async () => {
        const failed = await finished((await started('retried', { fail_attempts: 1 })).id);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.dead_letter, true);
        const letters = (await get('/api/v1/tasks?dead_letter=true&agent_type=retried')).json();
        assert.deepEqual(
          letters.map((task: Task) => task.id),
          [failed.id],
        );

        const response = await post(`/api/v1/tasks/${failed.id}/retry`);
        assert.equal(response.statusCode, 202, response.body);
        const retry = response.json<Task>();
        assert.equal(response.headers.location, `/api/v1/tasks/${retry.id}`);
        assert.equal(retry.trigger, 'retry');
        assert.equal(retry.retry_of, failed.id);
        assert.equal(retry.agent_id, failed.agent_id);
        assert.deepEqual(retry.input, failed.input);
        assert.equal((await taskNow(failed.id)).dead_letter, false);
        // fail_attempts counts attempts of one task: the new task starts again at attempt 1 and fails too,
        // so it becomes the dead letter in place of the old one.
        assert.equal((await finished(retry.id)).status, 'failed');
        assert.deepEqual(
          (await get('/api/v1/tasks?dead_letter=true&agent_type=retried')).json().map((task: Task) => task.id),
          [retry.id],
        );

        const again = await post(`/api/v1/tasks/${failed.id}/retry`);
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().code, 'already_retried');
        assert.equal(again.json().retry_id, retry.id);
        const retries = (await get(`/api/v1/tasks?retry_of=${failed.id}`)).json();
        assert.deepEqual(
          retries.map((task: Task) => task.id),
          [retry.id],
        );
      });

      it('retries a task exactly once under concurrent requests, and refuses unfinished or successful ones', async () => {
        const failed = await finished((await started('retried', { fail_attempts: 1, retryable: false })).id);
        const answers = await Promise.all(Array.from({ length: 4 }, () => post(`/api/v1/tasks/${failed.id}/retry`)));
        assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [202, 409, 409, 409]);
        const stored = await orm().select().from(tasks).where(eq(tasks.retryOf, failed.id));
        assert.equal(stored.length, 1);

        const succeeded = await finished((await started('scripted', {})).id);
        const refused = await post(`/api/v1/tasks/${succeeded.id}/retry`);
        assert.equal(refused.statusCode, 409);
        assert.equal(refused.json().code, 'task_not_retryable');
        assert.equal(refused.json().current_status, 'succeeded');
        assert.equal((await post(`/api/v1/tasks/${randomUUID()}/retry`)).statusCode, 404);
        assert.equal((await post(`/api/v1/tasks/${failed.id}/retry`, undefined, reader)).statusCode, 403);
      });

      it('lists tasks newest first with filters', async () => {
        const all = await get('/api/v1/tasks?limit=500');
        assert.equal(all.statusCode, 200);
        const rows = all.json<Task[]>();
        assert.equal(Number(all.headers['x-total-count']), await taskCount());
        const created = rows.map((task) => Date.parse((task as unknown as { created_at: string }).created_at));
        assert.deepEqual(
          created,
          [...created].sort((a, b) => b - a),
        );

        const finishedOnes = (await get('/api/v1/tasks?status=succeeded,cancelled&limit=500')).json<Task[]>();
        assert.ok(finishedOnes.length > 0);
        assert.ok(finishedOnes.every((task) => ['succeeded', 'cancelled'].includes(task.status)));
        assert.ok(finishedOnes.some((task) => task.status === 'cancelled'));
        const retries = (await get('/api/v1/tasks?trigger=retry')).json<Task[]>();
        assert.ok(retries.length >= 2 && retries.every((task) => task.trigger === 'retry'));
        const agent = await agentOf('measured');
        const byAgent = await get(`/api/v1/tasks?agent_id=${agent.id}`);
        assert.equal(byAgent.headers['x-total-count'], '4');
        const page = (await get('/api/v1/tasks?limit=2&skip=1')).json<Task[]>();
        assert.deepEqual(
          page.map((task) => task.id),
          rows.slice(1, 3).map((task) => task.id),
        );
        const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
        assert.deepEqual((await get(`/api/v1/tasks?created_after=${future}`)).json(), []);
        assert.equal(
          (await get(`/api/v1/tasks?created_before=${future}`)).headers['x-total-count'],
          all.headers['x-total-count'],
        );

        const bad = await get('/api/v1/tasks?status=done');
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().errors[0].field, 'querystring.status');
        assert.equal((await get('/api/v1/tasks?dead_letter=yes')).statusCode, 400);
        assert.equal((await get(`/api/v1/tasks/${randomUUID()}`)).statusCode, 404);
      });

      it('pages through a task’s logs with `after`', async () => {
        const done = await finished((await started('scripted', { log_lines: 5 })).id);
        const url = `/api/v1/tasks/${done.id}/logs`;
        const first = (await get(`${url}?limit=2`)).json();
        assert.deepEqual(
          first.items.map((line: { message: string }) => line.message),
          ['line 0', 'line 1'],
        );
        assert.equal(first.has_more, true);
        assert.equal(first.task_status, 'succeeded');
        assert.equal(first.logs_dropped, 0);
        assert.equal(first.items[0].attempt, 1);
        assert.equal(first.items[0].level, 'info');
        assert.equal(first.next_after, first.items[1].id);
        const second = (await get(`${url}?limit=2&after=${first.next_after}`)).json();
        assert.deepEqual(
          second.items.map((line: { message: string }) => line.message),
          ['line 2', 'line 3'],
        );
        const third = (await get(`${url}?limit=2&after=${second.next_after}`)).json();
        assert.deepEqual(
          third.items.map((line: { message: string }) => line.message),
          ['line 4'],
        );
        assert.equal(third.has_more, false);
        const empty = (await get(`${url}?after=${third.next_after}`)).json();
        assert.deepEqual(empty.items, []);
        assert.equal(empty.next_after, third.next_after);

        assert.equal((await get(`${url}?limit=1001`)).statusCode, 400);
        assert.equal((await get(`${url}?after=-1`)).statusCode, 400);
        assert.equal((await get(`/api/v1/tasks/${randomUUID()}/logs`)).statusCode, 404);
      });

      it('names the attempt of each log line and counts kept and dropped lines per attempt', async () => {
        const done = await finished((await started('scripted', { log_lines: 3, fail_attempts: 1 })).id);
        assert.equal(done.status, 'succeeded');
        const page = (await get(`/api/v1/tasks/${done.id}/logs`)).json<{
          items: { attempt: number; message: string }[];
          attempts: { attempt: number; lines: number; dropped: number }[];
        }>();
        // Which attempts ran depends on nothing but the task: the first fails after logging, the next succeeds
        // (a loaded machine may add a retry after a lost lease, so the counts are compared with the lines).
        const perAttempt = new Map<number, number>();
        for (const line of page.items) perAttempt.set(line.attempt, (perAttempt.get(line.attempt) ?? 0) + 1);
        assert.deepEqual(
          page.attempts,
          [...perAttempt].map(([attempt, lines]) => ({ attempt, lines, dropped: 0 })),
        );
        assert.equal(page.attempts[0]?.attempt, 1);
        assert.deepEqual(page.attempts.at(-1), { attempt: done.attempts, lines: 3, dropped: 0 });
        assert.deepEqual(
          page.items.filter((line) => line.attempt === done.attempts).map((line) => line.message),
          ['line 0', 'line 1', 'line 2'],
        );
      });
    });
  });
}
