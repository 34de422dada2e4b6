import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import { loadConfig } from '../src/config/config.js';
import { agents, events, taskLogs, tasks } from '../src/db/schema.js';
import { createStoredEventBus } from '../src/events/stored-bus.js';
import { createTaskRuntime, type TaskRuntime } from '../src/server/task-runtime.js';
import { createInlineCompute } from '../src/compute/compute-pool.js';
import { logCountsByAttempt } from '../src/tasks/task-queries.js';
import { eventually } from './support/app.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import type { ChangeSource } from './support/events.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
/** The workers' log limit per attempt here: small, so that filling it twice is quick even on a loaded machine. */
const LOG_LINE_LIMIT = 20;

for (const target of databaseTargets()) {
  describe(`task queue on ${target}`, () => {
    let testDatabase: TestDatabase;
    let runtime: TaskRuntime;
    const orm = () => testDatabase.database.orm;
    /** the events of every runtime this suite starts */
    const announced = new Set<() => void>();
    const changes: ChangeSource = (listener) => {
      announced.add(listener);
      return () => announced.delete(listener);
    };

    const start = async (workerSettings: Record<string, unknown> = {}, registry = testRegistry()) => {
      const database = testDatabase.database;
      const config = loadConfig({ WORKER_CONCURRENCY: '8', TASK_LEASE_SECONDS: '2' });
      const bus = createStoredEventBus({ database, retentionSeconds: 3600 });
      bus.subscribe(() => {
        for (const listener of announced) listener();
      });
      const created = createTaskRuntime({
        database,
        events: bus,
        config,
        compute: createInlineCompute(),
        log: silent,
        registry,
        worker: {
          pollIntervalMs: 200,
          abortGraceMs: 300,
          backoff: { baseMs: 50, capMs: 200 },
          logLineLimit: LOG_LINE_LIMIT,
          ...workerSettings,
        },
      });
      await created.start();
      return created;
    };

    const taskRow = async (id: string) => (await orm().select().from(tasks).where(eq(tasks.id, id)))[0]!;
    const finished = (id: string, timeoutMs = 60_000) =>
      eventually(
        changes,
        async () => {
          const row = await taskRow(id);
          return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
        },
        timeoutMs,
      );

    before(async () => {
      testDatabase = await createTestDatabase(target);
      runtime = await start();
    });
    after(async () => {
      await runtime.stop(1000);
      await testDatabase.cleanup();
    });

    it('runs a task: queued → running → succeeded, with result, progress, timings and events', async () => {
      const { task } = await runtime.queue.submit({ agentType: 'scripted', input: { label: 'a' }, trigger: 'manual' });
      assert.equal(task.status, 'queued');
      const done = await finished(task.id);
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(done.result, { attempt: 1, label: 'a' });
      assert.equal(done.progress, 100);
      assert.equal(done.attempts, 1);
      assert.ok(done.startedAt && done.finishedAt && done.finishedAt >= done.startedAt);
      assert.equal(done.leaseOwner, null);
      const types = await eventually(changes, async () => {
        const rows = await orm()
          .select()
          .from(events)
          .where(eq(events.topic, `tasks/${task.id}`))
          .orderBy(asc(events.id));
        const found = rows.map((row) => row.type);
        return found.includes('task.succeeded') ? found : undefined;
      });
      assert.deepEqual(types, ['task.queued', 'task.started', 'task.progress', 'task.succeeded']);
    });

    it('retries a failing task with backoff and succeeds on a later attempt', async () => {
      const { task } = await runtime.queue.submit({
        agentType: 'scripted',
        input: { fail_attempts: 2 },
        trigger: 'manual',
      });
      const done = await finished(task.id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.attempts, 3);
      assert.deepEqual(done.result, { attempt: 3, label: null });
      const retried = await orm()
        .select()
        .from(events)
        .where(sql`${events.topic} = ${`tasks/${task.id}`} and ${events.type} = 'task.retrying'`);
      assert.equal(retried.length, 2);
    });

    it('fails into the dead letters after the last attempt, with the error code and message', async () => {
      const { task } = await runtime.queue.submit({
        agentType: 'scripted',
        input: { fail_attempts: 9, fail_code: 'broken' },
        trigger: 'manual',
      });
      const done = await finished(task.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.attempts, 3);
      assert.equal(done.errorCode, 'broken');
      assert.equal(done.errorMessage, 'failing attempt 3');
      assert.equal(done.deadLetter, true);
      const [agent] = await orm().select().from(agents).where(eq(agents.name, 'scripted'));
      assert.equal(agent!.lastError, 'failing attempt 3');
    });

    it('does not retry an error that says it is not retryable', async () => {
      const { task } = await runtime.queue.submit({
        agentType: 'scripted',
        input: { fail_attempts: 1, retryable: false },
        trigger: 'manual',
      });
      const done = await finished(task.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.attempts, 1);
    });

    it('aborts a task that runs past its timeout and fails it with code timeout', async () => {
      const local = await start({}, testRegistry(scriptedAgent({ type: 'slow', timeoutSeconds: 1 })));
      try {
        const { task } = await local.queue.submit({ agentType: 'slow', input: { work_ms: 60_000 }, trigger: 'manual' });
        const done = await finished(task.id);
        assert.equal(done.status, 'failed');
        assert.equal(done.errorCode, 'timeout');
        assert.equal(done.deadLetter, true);
      } finally {
        await local.stop(500);
      }
    });

    it('writes off a timed-out handler that ignores its abort signal after the grace period', async () => {
      const local = await start({}, testRegistry(scriptedAgent({ type: 'stubborn', timeoutSeconds: 1 })));
      try {
        const { task } = await local.queue.submit({
          agentType: 'stubborn',
          input: { work_ms: 4000, ignore_abort: true },
          trigger: 'manual',
        });
        const done = await finished(task.id, 3500);
        assert.equal(done.errorCode, 'timeout');
      } finally {
        await local.stop(500);
      }
    });

    it('cancels a queued task at once and a running task through its abort signal', async () => {
      // The agent is paused so that the task stays queued.
      await orm().update(agents).set({ status: 'paused' }).where(eq(agents.name, 'scripted'));
      const queued = await runtime.queue.submit({ agentType: 'scripted', input: {}, trigger: 'manual' });
      const cancelledQueued = await runtime.queue.cancel(queued.task.id);
      assert.equal(cancelledQueued?.status, 'cancelled');
      await orm().update(agents).set({ status: 'idle' }).where(eq(agents.name, 'scripted'));

      const running = await runtime.queue.submit({
        agentType: 'scripted',
        input: { work_ms: 30_000 },
        trigger: 'manual',
      });
      await eventually(changes, async () => ((await taskRow(running.task.id)).status === 'running' ? true : undefined));
      const marked = await runtime.queue.cancel(running.task.id);
      assert.equal(marked?.status, 'running');
      // Had the cancel been missed, the task would succeed after its 30 s of work, not end cancelled.
      const done = await finished(running.task.id);
      assert.equal(done.status, 'cancelled');
      assert.equal(done.errorCode, 'cancelled');
      assert.equal(await runtime.queue.cancel(running.task.id), undefined, 'a finished task cannot be cancelled');
    });

    it('keeps a paused agent’s tasks queued until it is resumed', async () => {
      await orm().update(agents).set({ status: 'paused' }).where(eq(agents.name, 'scripted'));
      const { task } = await runtime.queue.submit({ agentType: 'scripted', input: {}, trigger: 'manual' });
      // A task of another agent submitted after it: the pass of the queue that runs it read every pending
      // task, the paused agent's included, and left that one queued.
      const witness = await start({}, testRegistry(scriptedAgent({ type: 'witness' })));
      try {
        const { task: later } = await witness.queue.submit({ agentType: 'witness', input: {}, trigger: 'manual' });
        assert.equal((await finished(later.id)).status, 'succeeded');
      } finally {
        await witness.stop(1000);
      }
      assert.equal((await taskRow(task.id)).status, 'queued');
      await orm().update(agents).set({ status: 'idle' }).where(eq(agents.name, 'scripted'));
      runtime.queue.wake();
      assert.equal((await finished(task.id)).status, 'succeeded');
    });

    it('never runs more tasks of an agent at once than its concurrency', async () => {
      const local = await start({}, testRegistry(scriptedAgent({ type: 'narrow', concurrency: 2 })));
      // The running tasks are counted after every event (a task that starts announces it once it is marked
      // running), so the count is taken at each moment it can have grown.
      let peak = 0;
      const counts: Promise<void>[] = [];
      const stop = changes(() => {
        counts.push(
          orm()
            .select({ count: sql<number>`count(*)::int` })
            .from(tasks)
            .where(sql`${tasks.agentType} = 'narrow' and ${tasks.status} = 'running'`)
            .then(([row]) => {
              peak = Math.max(peak, row?.count ?? 0);
            }),
        );
      });
      try {
        const submitted = await Promise.all(
          Array.from({ length: 6 }, () =>
            local.queue.submit({ agentType: 'narrow', input: { work_ms: 300 }, trigger: 'manual' }),
          ),
        );
        for (const { task } of submitted) assert.equal((await finished(task.id)).status, 'succeeded');
        stop();
        await Promise.all(counts);
        assert.ok(peak >= 1 && peak <= 2, `peak ${peak}`);
      } finally {
        stop();
        await local.stop(500);
      }
    });

    it('keeps at most the log line limit per attempt: a retry’s lines are kept after a full first attempt', async () => {
      // The first attempt fills the limit and fails; the retry logs as much again. How many attempts run
      // is left open (on a loaded machine one may lose its lease and be retried once more): what is checked
      // is the attempt that succeeded, which always logged every line before it returned.
      const { task } = await runtime.queue.submit({
        agentType: 'scripted',
        input: { log_lines: LOG_LINE_LIMIT + 5, fail_attempts: 1 },
        trigger: 'manual',
      });
      const done = await finished(task.id);
      assert.equal(done.status, 'succeeded');
      assert.ok(done.attempts >= 2);
      const last = (await logCountsByAttempt(orm(), task.id)).find((counts) => counts.attempt === done.attempts);
      assert.deepEqual(last, { attempt: done.attempts, lines: LOG_LINE_LIMIT, dropped: 5 });
      const [stored] = await orm()
        .select({ count: sql<number>`count(*)::int`, first: sql<string>`min(${taskLogs.message})` })
        .from(taskLogs)
        .where(and(eq(taskLogs.taskId, task.id), eq(taskLogs.attempt, done.attempts)));
      assert.equal(stored!.count, LOG_LINE_LIMIT);
      assert.equal(stored!.first, 'line 0');
      const counts = await logCountsByAttempt(orm(), task.id);
      assert.ok(counts.every((attempt) => attempt.lines <= LOG_LINE_LIMIT));
    });

    it('returns the existing task for a repeated idempotency key', async () => {
      const first = await runtime.queue.submit({
        agentType: 'scripted',
        input: {},
        trigger: 'event',
        idempotencyKey: 'k-1',
      });
      const second = await runtime.queue.submit({
        agentType: 'scripted',
        input: {},
        trigger: 'event',
        idempotencyKey: 'k-1',
      });
      assert.equal(first.created, true);
      assert.equal(second.created, false);
      assert.equal(second.task.id, first.task.id);
    });

    it('enqueues within the caller’s transaction: a rolled-back change leaves no task', async () => {
      const before = await orm()
        .select({ count: sql<number>`count(*)::int` })
        .from(tasks);
      await assert.rejects(
        orm().transaction(async (transaction) => {
          await runtime.queue.submitWithin(transaction, { agentType: 'scripted', input: {}, trigger: 'event' });
          throw new Error('roll back');
        }),
      );
      const afterwards = await orm()
        .select({ count: sql<number>`count(*)::int` })
        .from(tasks);
      assert.equal(afterwards[0]!.count, before[0]!.count);
    });

    it('recovers a task whose worker vanished: retried when attempts remain, failed when not', async () => {
      const [agent] = await orm().select().from(agents).where(eq(agents.name, 'scripted'));
      const orphan = async (attempts: number) => {
        const [row] = await orm()
          .insert(tasks)
          .values({
            agentId: agent!.id,
            agentType: 'scripted',
            trigger: 'manual',
            status: 'running',
            attempts,
            maxAttempts: 3,
            timeoutSeconds: 30,
            leaseOwner: 'a-dead-process',
            leaseExpiresAt: sql`now() - interval '1 second'`,
            startedAt: sql`now()`,
          })
          .returning();
        return row!;
      };
      const retried = await orphan(1);
      const exhausted = await orphan(3);
      const doneRetried = await finished(retried.id);
      assert.equal(doneRetried.status, 'succeeded');
      assert.equal(doneRetried.attempts, 2);
      const doneExhausted = await finished(exhausted.id);
      assert.equal(doneExhausted.status, 'failed');
      assert.equal(doneExhausted.errorCode, 'interrupted');
      assert.equal(doneExhausted.deadLetter, true);
    });

    it('refuses input that does not match the agent’s schema', async () => {
      await assert.rejects(
        runtime.queue.submit({ agentType: 'scripted', input: { work_ms: 'soon' }, trigger: 'manual' }),
        {
          name: 'InvalidTaskInputError',
          code: 'validation_failed',
        },
      );
      await assert.rejects(runtime.queue.submit({ agentType: 'nobody', input: {}, trigger: 'manual' }), {
        code: 'unknown_agent',
      });
    });
  });
}
