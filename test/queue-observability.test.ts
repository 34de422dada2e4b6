import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { testRegistry } from './support/test-agents.js';

for (const target of databaseTargets()) {
  describe(`queue readiness and metrics on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, {
        agents: testRegistry(),
        worker: { pollIntervalMs: 100, abortGraceMs: 200, backoff: { baseMs: 20, capMs: 50 }, concurrency: 3 },
      });
    });
    after(() => t.close());

    const runTask = async (input: Record<string, unknown>) => {
      const { task } = await t.app.services.tasks.submit({ agentType: 'scripted', input, trigger: 'manual' });
      return eventually(t, async () => {
        const [row] = await t.database.query<{ status: string }>('select status from tasks where id = $1', [task.id]);
        return row && ['succeeded', 'failed'].includes(row.status) ? row.status : undefined;
      });
    };

    it('reports tasks per agent and outcome, retries and queue depth in /metrics', async () => {
      assert.equal(await runTask({}), 'succeeded');
      assert.equal(await runTask({ fail_attempts: 1 }), 'succeeded');
      assert.equal(await runTask({ fail_attempts: 5, retryable: false }), 'failed');
      const response = await t.request({ method: 'GET', url: '/metrics', key: t.adminKey });
      assert.equal(response.statusCode, 200);
      const text = response.body;
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
      assert.equal(value(/^lvlup_task_attempts_total\{agent_type="scripted",outcome="succeeded"\} (\d+)$/m), 2);
      assert.equal(value(/^lvlup_task_attempts_total\{agent_type="scripted",outcome="retrying"\} (\d+)$/m), 1);
      assert.equal(value(/^lvlup_task_attempts_total\{agent_type="scripted",outcome="failed"\} (\d+)$/m), 1);
      assert.equal(value(/^lvlup_task_duration_seconds_count\{agent_type="scripted",outcome="succeeded"\} (\d+)$/m), 2);
      assert.equal(value(/^lvlup_queue_depth\{agent_type="guardian",status="queued"\} (\d+)$/m), 0);
    });

    it('counts waiting tasks in /metrics and /health/ready while the agent is paused', async () => {
      await t.database.query(`update agents set status = 'paused' where name = 'scripted'`);
      try {
        await t.app.services.tasks.submit({ agentType: 'scripted', input: {}, trigger: 'manual' });
        await t.app.services.tasks.submit({ agentType: 'scripted', input: {}, trigger: 'manual' });
        const metrics = (await t.request({ method: 'GET', url: '/metrics', key: t.adminKey })).body;
        assert.match(metrics, /^lvlup_queue_depth\{agent_type="scripted",status="queued"\} 2$/m);
        const ready = (await t.request({ method: 'GET', url: '/health/ready' })).json();
        assert.equal(ready.queue.queued, 2);
        assert.equal(typeof ready.queue.oldest_waiting_seconds, 'number');
        assert.deepEqual(ready.queue.worker, { running: true, active_tasks: 0, concurrency: 3 });
      } finally {
        await t.database.query(`update agents set status = 'idle' where name = 'scripted'`);
        t.app.services.tasks.wake();
      }
      await eventually(t, async () => {
        const [row] = await t.database.query<{ count: number }>(
          `select count(*)::int as count from tasks where status in ('queued', 'running')`,
        );
        return row?.count === 0 ? true : undefined;
      });
    });

    it('is not ready once this process’s worker has stopped', async () => {
      await t.app.services.runtime.worker!.stop(1000);
      const response = await t.request({ method: 'GET', url: '/health/ready' });
      assert.equal(response.statusCode, 503);
      const body = response.json();
      assert.deepEqual(body.down, ['queue']);
      assert.equal(body.queue.worker.running, false);
    });
  });
}
