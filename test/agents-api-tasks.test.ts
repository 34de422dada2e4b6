import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import { events, schedules, tasks } from '../src/db/schema.js';
import { eventually } from './support/app.js';
import { useAgentsApi, type Task } from './support/agents-api.js';
import { databaseTargets } from './support/database.js';

for (const target of databaseTargets()) {
  describe(`agent status and the tasks API on ${target}`, () => {
    const api = useAgentsApi(target);
    const { orm, get, post, started, taskNow, finished, running, agentOf, statusOf, taskCount } = api;
    let reader: string;
    before(() => {
      ({ reader } = api);
    });

    describe('status, pause and resume', () => {
      it('shows the running task, the queue depth and the last run of each agent', async () => {
        const long = await started('narrow', { work_ms: 30_000 });
        await running(long.id);
        const waiting = await started('narrow', {});
        const status = await eventually(api.t, async () => {
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
        const later = await eventually(api.t, async () => {
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
        await eventually(api.t, async () => ((await statusOf('pausable')).status === 'idle' ? true : undefined));
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
        // The long task the status test cancelled, and the one that waited behind it.
        const agent = await agentOf('narrow');
        const byAgent = await get(`/api/v1/tasks?agent_id=${agent.id}`);
        assert.equal(byAgent.headers['x-total-count'], '2');
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
