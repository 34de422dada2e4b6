import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { createApiKey } from '../src/accounts/api-key-store.js';
import type { Scope } from '../src/accounts/roles.js';
import { createAgentRegistry, ensureAgentRows } from '../src/tasks/agent-registry.js';
import { loadConfig } from '../src/config/config.js';
import type { Database } from '../src/db/database.js';
import { openPostgres } from '../src/db/postgres.js';
import { agents, schedules, tasks } from '../src/db/schema.js';
import { createStoredEventBus } from '../src/events/stored-bus.js';
import type { scheduleSchema } from '../src/schedules/representation.js';
import {
  createScheduler,
  scheduleIdempotencyKey,
  type ScheduledRun,
  type SchedulerTimer,
} from '../src/schedules/scheduler.js';
import { changeSchedule, databaseNow, ensureScheduleRows } from '../src/schedules/schedule-store.js';
import { buildApp, type AppOptions } from '../src/server/app.js';
import { createTaskQueue } from '../src/tasks/task-queue.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import { untilEvent } from './support/events.js';
import { queue as arrivals } from './support/event-clients.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

type ScheduleBody = z.infer<typeof scheduleSchema>;

/**
 * A scheduler's timer that never fires by itself: the scheduler only ticks when it starts or is woken.
 * `armed` resolves each time the scheduler sets it, which it does when a tick has finished.
 */
function timerThatNeverFires() {
  const armings = arrivals<number>();
  const timer: SchedulerTimer = {
    after(milliseconds) {
      armings.push(milliseconds);
      return () => undefined;
    },
  };
  return { timer, armed: () => armings.next() };
}

/** A few turns of the event loop, a random number of them, so that racers interleave differently. */
async function jitter(): Promise<void> {
  for (let turns = Math.floor(Math.random() * 4); turns > 0; turns -= 1) await setImmediate();
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

interface Served {
  readonly app: FastifyInstance;
  readonly adminKey: string;
  key(scopes: Scope[]): Promise<string>;
  call<Body = Answer>(
    method: 'GET' | 'PATCH',
    url: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body }>;
}

/** A schedule, or a problem (the fields a test reads of each). */
type Answer = ScheduleBody & { code?: string; errors?: { field: string; message: string }[] };

for (const target of databaseTargets()) {
  describe(`schedules on ${target}`, () => {
    let testDatabase: TestDatabase;
    const orm = () => testDatabase.database.orm;
    const apps: FastifyInstance[] = [];

    /** A process: the app on the shared database, with the given environment (and workers, if asked). */
    const serve = async (environment: Record<string, string>, worker?: AppOptions['worker']): Promise<Served> => {
      const app = await buildApp({
        config: loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent', ...environment }),
        database: testDatabase.database,
        version: 'test',
        logStream: discard(),
        rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
        agents: testRegistry(),
        worker,
      });
      await app.ready();
      apps.push(app);
      const key = async (scopes: Scope[]) =>
        (await createApiKey(orm(), { name: `schedules ${scopes.join(',')}`, scopes, createdBy: 'test' })).secret;
      return {
        app,
        adminKey: await key(['admin']),
        key,
        async call<Body>(method: 'GET' | 'PATCH', url: string, key: string, body?: unknown) {
          const response = await app.inject({
            method,
            url,
            headers: { authorization: `Bearer ${key}` },
            ...(body === undefined ? {} : { payload: body as object }),
          });
          return { status: response.statusCode, body: response.json<Body>() };
        },
      };
    };
    const stop = async (served: Served) => {
      apps.splice(apps.indexOf(served.app), 1);
      await served.app.close();
    };

    const row = async (agentType: string) =>
      (await orm().select().from(schedules).where(eq(schedules.agentType, agentType)))[0]!;
    const scheduledTasks = (agentType: string) =>
      orm()
        .select()
        .from(tasks)
        .where(and(eq(tasks.agentType, agentType), eq(tasks.trigger, 'schedule')))
        .orderBy(asc(tasks.createdAt));
    const setDue = (agentType: string, secondsAgo: number) =>
      orm()
        .update(schedules)
        .set({ nextRunAt: sql`date_trunc('second', now()) - make_interval(secs => ${secondsAgo})` })
        .where(eq(schedules.agentType, agentType));
    /** The database's clock now, in milliseconds. */
    const clock = async () => (await databaseNow(orm())).getTime();
    /**
     * A first period start taken at some moment from `before` to `after` (the database's clock, read around
     * what set it): that moment's whole second plus the interval.
     */
    const firstPeriodBetween = (actual: Date | string | null, before: number, after: number, intervalMs: number) => {
      assert.ok(actual, 'expected a time');
      const value = new Date(actual).getTime();
      const [earliest, latest] = [before, after].map((instant) => Math.floor(instant / 1000) * 1000 + intervalMs);
      assert.ok(
        value >= earliest! && value <= latest!,
        `${new Date(value).toISOString()} is not from ${new Date(earliest!).toISOString()} to ${new Date(latest!).toISOString()}`,
      );
    };

    before(async () => {
      testDatabase = await createTestDatabase(target);
    });
    after(async () => {
      for (const app of apps.splice(0)) await app.close();
      await testDatabase.cleanup();
    });

    it('gives every registered agent a schedule with its interval from the environment', async () => {
      const before = await clock();
      const served = await serve({ GUARDIAN_SCAN_INTERVAL: '900', CONQUEST_ANALYSIS_INTERVAL: '4321' });
      try {
        const after = await clock();
        const { status, body } = await served.call<ScheduleBody[]>('GET', '/api/v1/schedules', served.adminKey);
        assert.equal(status, 200);
        const byType = new Map(body.map((entry) => [entry.agent_type, entry]));
        assert.deepEqual([...byType.keys()].sort(), [
          'conquest',
          'custody',
          'guardian',
          'imperium',
          'learning',
          'sandbox',
          'scripted',
        ]);
        const expected = {
          guardian: 900,
          conquest: 4321,
          custody: 3600,
          imperium: 1800,
          learning: 86400,
          sandbox: 2700,
          scripted: 3600,
        };
        for (const [type, interval] of Object.entries(expected)) {
          const entry = byType.get(type)!;
          assert.equal(entry.interval_seconds, interval, type);
          assert.equal(entry.cron, null);
          assert.equal(entry.enabled, true);
          assert.equal(entry.updated_by, null);
          assert.equal(entry.last_run_at, null);
          firstPeriodBetween(entry.next_run_at, before, after, interval * 1000);
          const stored = await row(type);
          assert.equal(stored.intervalSeconds, interval);
          assert.equal(stored.nextRunAt.getTime() % 1000, 0, 'periods start on whole seconds');
        }
        const one = await served.call('GET', '/api/v1/schedules/guardian', served.adminKey);
        assert.equal(one.status, 200);
        assert.deepEqual(one.body, byType.get('guardian'));
      } finally {
        await stop(served);
      }
    });

    it('stores a PATCH so that it outlives a restart; rows nobody changed follow the environment', async () => {
      const environment = { GUARDIAN_SCAN_INTERVAL: '900', CONQUEST_ANALYSIS_INTERVAL: '4321' };
      const first = await serve(environment);
      const now = await clock();
      const guardian = await first.call('PATCH', '/api/v1/schedules/guardian', first.adminKey, {
        interval_seconds: 120,
      });
      const patched = await clock();
      assert.equal(guardian.status, 200);
      assert.equal(guardian.body.interval_seconds, 120);
      assert.equal(guardian.body.cron, null);
      assert.match(guardian.body.updated_by ?? '', /^api key schedules admin/);
      firstPeriodBetween(guardian.body.next_run_at, now, patched, 120_000);
      // The spelling: PATCH /api/v1/schedules with the agent type in the body.
      const conquest = await first.call('PATCH', '/api/v1/schedules', first.adminKey, {
        agent_type: 'conquest',
        cron: '  0 */6 * * * ',
      });
      assert.equal(conquest.status, 200);
      assert.equal(conquest.body.cron, '0 */6 * * *');
      assert.equal(conquest.body.interval_seconds, null);
      const sixHours = 6 * 3600 * 1000;
      assert.equal(new Date(conquest.body.next_run_at!).getTime(), (Math.floor(now / sixHours) + 1) * sixHours);
      const sandbox = await first.call('PATCH', '/api/v1/schedules/sandbox', first.adminKey, { enabled: false });
      assert.equal(sandbox.body.enabled, false);
      assert.equal(sandbox.body.next_run_at, null);
      await stop(first);

      // A restart with another environment: changed rows keep their values, imperium follows the variable.
      const restarting = await clock();
      const second = await serve({ ...environment, GUARDIAN_SCAN_INTERVAL: '60', IMPERIUM_LEARNING_INTERVAL: '600' });
      try {
        const restarted = await clock();
        const { body } = await second.call<ScheduleBody[]>('GET', '/api/v1/schedules', second.adminKey);
        const byType = new Map(body.map((entry) => [entry.agent_type, entry]));
        assert.equal(byType.get('guardian')!.interval_seconds, 120);
        assert.equal(byType.get('guardian')!.next_run_at, guardian.body.next_run_at);
        assert.equal(byType.get('conquest')!.cron, '0 */6 * * *');
        assert.equal(byType.get('sandbox')!.enabled, false);
        assert.equal(byType.get('imperium')!.interval_seconds, 600);
        assert.equal(byType.get('imperium')!.updated_by, null);
        firstPeriodBetween(byType.get('imperium')!.next_run_at, restarting, restarted, 600_000);
        // Back to an interval: the one from the environment.
        const back = await second.call('PATCH', '/api/v1/schedules/conquest', second.adminKey, { cron: null });
        assert.equal(back.body.cron, null);
        assert.equal(back.body.interval_seconds, 4321);
        assert.equal((await row('conquest')).intervalSeconds, 4321);
      } finally {
        await stop(second);
      }
    });

    it('refuses bad input with 400 naming the field, unknown agents with 404, and writes without agents:run', async () => {
      const served = await serve({});
      try {
        const patch = (url: string, body: unknown) => served.call('PATCH', url, served.adminKey, body);
        const fieldsOf = (response: { body: { errors?: { field: string }[] } }) =>
          (response.body.errors ?? []).map((error) => error.field);
        const cases: [string, unknown, string][] = [
          ['/api/v1/schedules/imperium', { cron: 'every day' }, 'body.cron'],
          ['/api/v1/schedules/imperium', { cron: '61 * * * *' }, 'body.cron'],
          ['/api/v1/schedules/imperium', { cron: 'H * * * *' }, 'body.cron'],
          ['/api/v1/schedules/imperium', { cron: '' }, 'body.cron'],
          ['/api/v1/schedules/imperium', { interval_seconds: 60, cron: '* * * * *' }, 'body.cron'],
          ['/api/v1/schedules/imperium', { interval_seconds: 0 }, 'body.interval_seconds'],
          ['/api/v1/schedules/imperium', { interval_seconds: 1.5 }, 'body.interval_seconds'],
          ['/api/v1/schedules/imperium', { interval_seconds: '60' }, 'body.interval_seconds'],
          ['/api/v1/schedules/imperium', { enabled: 'yes' }, 'body.enabled'],
          ['/api/v1/schedules/imperium', { paused: true }, 'body'],
          ['/api/v1/schedules/imperium', {}, 'body'],
          ['/api/v1/schedules', { enabled: false }, 'body.agent_type'],
          ['/api/v1/schedules', { agent_type: 'guardian', cron: 'nonsense' }, 'body.cron'],
        ];
        for (const [url, body, field] of cases) {
          const response = await patch(url, body);
          assert.equal(response.status, 400, `${JSON.stringify(body)} → ${response.status}`);
          assert.equal(response.body.code, 'validation_failed');
          assert.ok(fieldsOf(response).includes(field), `${JSON.stringify(body)}: ${fieldsOf(response).join(', ')}`);
        }
        const before = await row('imperium');
        assert.equal(before.updatedBy, null, 'a refused change stores nothing');

        for (const response of [
          await patch('/api/v1/schedules/nobody', { enabled: false }),
          await patch('/api/v1/schedules', { agent_type: 'nobody', enabled: false }),
          await served.call('GET', '/api/v1/schedules/nobody', served.adminKey),
        ]) {
          assert.equal(response.status, 404);
          assert.equal(response.body.code, 'unknown_agent');
        }

        const reader = await served.key(['agents:read']);
        assert.equal((await served.call('GET', '/api/v1/schedules', reader)).status, 200);
        const refused = await served.call('PATCH', '/api/v1/schedules/guardian', reader, { enabled: false });
        assert.equal(refused.status, 403);
        assert.equal((await row('guardian')).enabled, true);
        const runner = await served.key(['agents:run']);
        assert.equal((await served.call('PATCH', '/api/v1/schedules/guardian', runner, { enabled: true })).status, 200);
      } finally {
        await stop(served);
      }
    });

    it('enables, disables and changes the interval at run time, without a restart', async () => {
      const served = await serve({ WORKER_CONCURRENCY: '4' }, { pollIntervalMs: 100 });
      try {
        const patch = (body: unknown) => served.call('PATCH', '/api/v1/schedules/scripted', served.adminKey, body);
        const scheduler = served.app.services.runtime.scheduler;
        assert.ok(scheduler, 'a process with workers runs a scheduler');
        /** Waits for the scheduled tasks `done` accepts, looking again after every event of the app. */
        const scheduledUntil = (done: (found: Awaited<ReturnType<typeof scheduledTasks>>) => boolean) =>
          untilEvent(served.app.services.events, async () => {
            const found = await scheduledTasks('scripted');
            return done(found) ? found : undefined;
          });

        // Disabled, a schedule whose period started long ago enqueues nothing: a tick, such as the running
        // scheduler makes every second, finds nothing to run.
        assert.equal((await patch({ enabled: false })).status, 200);
        await setDue('scripted', 3600);
        assert.deepEqual(await scheduler.tick(), []);
        assert.equal((await scheduledTasks('scripted')).length, 0);

        // Enabled with a 1-second interval: runs every period from now on.
        const enabled = await patch({ enabled: true, interval_seconds: 1 });
        assert.equal(enabled.status, 200);
        const firstPeriod = enabled.body.next_run_at as string;
        // Periods are seconds of the database's clock: the running scheduler enqueues one a second.
        const ran = await scheduledUntil((found) => found.length >= 2);
        assert.equal(ran[0]!.idempotencyKey, `schedule:scripted:${firstPeriod}`);
        // A scheduled run's input is {} with the agent's defaults filled in.
        assert.deepEqual(ran[0]!.input, scriptedAgent().inputSchema.parse({}));
        const stored = await row('scripted');
        assert.ok(stored.lastRunAt);
        assert.ok(ran.some((task) => task.id === stored.lastTaskId));
        // The worker of this process runs them.
        await scheduledUntil((found) => found[0]!.status === 'succeeded');

        // Disabled again: the count stops where the PATCH found it, even once the schedule is due.
        assert.equal((await patch({ enabled: false })).status, 200);
        const settled = (await scheduledTasks('scripted')).length;
        await setDue('scripted', 3600);
        assert.deepEqual(await scheduler.tick(), []);
        assert.equal((await scheduledTasks('scripted')).length, settled);
      } finally {
        await stop(served);
      }
    });

    describe('with several schedulers on the same database', () => {
      const ticker = scriptedAgent({ type: 'ticker', defaultIntervalSeconds: () => 1 });
      const registry = createAgentRegistry([ticker]);
      const connections: Database[] = [];

      /** A scheduler as another process would have it: on PostgreSQL, on connections of its own. */
      const schedulerProcess = async (timer?: SchedulerTimer) => {
        let database = testDatabase.database;
        if (testDatabase.url) {
          database = await openPostgres(testDatabase.url, 3);
          connections.push(database);
        }
        const events = createStoredEventBus({ database, retentionSeconds: 3600 });
        const queue = createTaskQueue({ database, events, registry, log: silent });
        return createScheduler({ database, registry, queue, log: silent, timer });
      };

      before(async () => {
        await ensureAgentRows(testDatabase.database, registry);
        await ensureScheduleRows(orm(), registry, loadConfig({}));
      });
      after(async () => {
        for (const connection of connections.splice(0)) await connection.close();
      });

      it('runs each period exactly once while five schedulers race for it', async () => {
        await orm().delete(tasks).where(eq(tasks.agentType, 'ticker'));
        const racers = await Promise.all(Array.from({ length: 5 }, () => schedulerProcess()));
        // An hour's interval: the winner moves the schedule to the first period after now, which must not
        // come due again while the slower racers of the same round are still to tick (with a 1 s interval
        // a loaded machine let a late racer claim the next period, a seventh run).
        await changeSchedule(
          orm(),
          'ticker',
          { intervalSeconds: 3600 },
          { updatedBy: 'test', defaultIntervalSeconds: 1 },
        );
        // Rather than wait for the clock to bring a period, each round moves the schedule to a period of its own
        // that is due (consecutive seconds of yesterday), and all five tick at once.
        const ROUNDS = 6;
        const yesterday = Math.floor((await databaseNow(orm())).getTime() / 1000) * 1000 - 86_400_000;
        const runs: ScheduledRun[] = [];
        let failures = 0;
        for (let round = 0; round < ROUNDS; round += 1) {
          await orm()
            .update(schedules)
            .set({ nextRunAt: new Date(yesterday + round * 1000) })
            .where(eq(schedules.agentType, 'ticker'));
          await Promise.all(
            racers.map(async (scheduler) => {
              await jitter();
              try {
                runs.push(...(await scheduler.tick()));
              } catch {
                failures += 1;
              }
            }),
          );
        }
        assert.equal(failures, 0);
        const stored = await scheduledTasks('ticker');
        assert.equal(stored.length, ROUNDS, 'one run per period');
        // One winner per period: every won run inserted its task, and no run was stopped by the unique
        // idempotency key alone (that would mean two schedulers both claimed a period).
        assert.equal(runs.length, stored.length);
        assert.ok(runs.every((run) => run.created));
        const periods = stored.map((task) => task.idempotencyKey!.replace('schedule:ticker:', ''));
        assert.equal(new Set(periods).size, stored.length);
        const starts = periods.map((period) => new Date(period).getTime()).sort((a, b) => a - b);
        for (let index = 1; index < starts.length; index += 1) {
          const gap = starts[index]! - starts[index - 1]!;
          assert.ok(gap >= 1000 && gap % 1000 === 0, `periods ${index - 1} and ${index} are ${gap} ms apart`);
        }
        const schedule = await row('ticker');
        assert.equal(schedule.lastTaskId, stored.find((task) => task.idempotencyKey!.endsWith(periods.at(-1)!))?.id);
        assert.ok(schedule.nextRunAt.getTime() > starts.at(-1)!);
      });

      it('after downtime runs once and moves to the first period after now, with no catch-up burst', async () => {
        await orm().delete(tasks).where(eq(tasks.agentType, 'ticker'));
        await changeSchedule(
          orm(),
          'ticker',
          { intervalSeconds: 60 },
          { updatedBy: 'test', defaultIntervalSeconds: 1 },
        );
        await setDue('ticker', 3 * 3600 + 30);
        const missed = (await row('ticker')).nextRunAt;
        const schedulers = await Promise.all([schedulerProcess(), schedulerProcess()]);
        const before = await clock();
        const runs = (await Promise.all(schedulers.map((scheduler) => scheduler.tick()))).flat();
        for (const scheduler of schedulers) runs.push(...(await scheduler.tick()));
        assert.equal(runs.length, 1);
        assert.deepEqual(runs[0]!.periodStart, missed);
        const stored = await scheduledTasks('ticker');
        assert.deepEqual(
          stored.map((task) => task.idempotencyKey),
          [scheduleIdempotencyKey('ticker', missed)],
        );
        const after = await clock();
        const next = (await row('ticker')).nextRunAt.getTime();
        // The tick that ran it read the clock somewhere from `before` to `after`.
        assert.ok(next > before && next <= after + 60_000, 'the next period is the first one after now');
        assert.equal((next - missed.getTime()) % 60_000, 0, 'the schedule keeps its phase');
      });

      it('lets the period of a paused agent pass without a run, and runs again once it is resumed', async () => {
        await orm().delete(tasks).where(eq(tasks.agentType, 'ticker'));
        await setDue('ticker', 30);
        await orm().update(agents).set({ status: 'paused' }).where(eq(agents.name, 'ticker'));
        const scheduler = await schedulerProcess();
        try {
          const before = await clock();
          assert.deepEqual(await scheduler.tick(), []);
          assert.equal((await scheduledTasks('ticker')).length, 0);
          assert.ok((await row('ticker')).nextRunAt.getTime() > before, 'the period passed');
        } finally {
          await orm().update(agents).set({ status: 'idle' }).where(eq(agents.name, 'ticker'));
        }
        await setDue('ticker', 30);
        assert.equal((await scheduler.tick()).length, 1);
        assert.equal((await scheduledTasks('ticker')).length, 1);
      });

      it('enqueues nothing more when a task already holds the period key', async () => {
        await orm().delete(tasks).where(eq(tasks.agentType, 'ticker'));
        await setDue('ticker', 5);
        const due = (await row('ticker')).nextRunAt;
        const events = createStoredEventBus({ database: testDatabase.database, retentionSeconds: 3600 });
        const queue = createTaskQueue({ database: testDatabase.database, events, registry, log: silent });
        const existing = await queue.submit({
          agentType: 'ticker',
          trigger: 'schedule',
          idempotencyKey: scheduleIdempotencyKey('ticker', due),
        });
        const [run] = await (await schedulerProcess()).tick();
        assert.equal(run?.created, false);
        assert.equal(run?.taskId, existing.task.id);
        assert.equal((await scheduledTasks('ticker')).length, 1);
      });

      it("wakes at another process's schedule change instead of waiting for its next tick", async () => {
        await orm().delete(tasks).where(eq(tasks.agentType, 'ticker'));
        const clock = timerThatNeverFires();
        const scheduler = await schedulerProcess(clock.timer);
        await scheduler.start();
        try {
          await clock.armed(); // the tick at start is done
          await setDue('ticker', 5);
          assert.equal((await scheduledTasks('ticker')).length, 0, 'nothing ticks by itself');
          // A change that keeps the period: the NOTIFY alone makes the scheduler look, and the run is due.
          await changeSchedule(orm(), 'ticker', { enabled: true }, { updatedBy: 'test', defaultIntervalSeconds: 1 });
          // Its timer never fires, so the tick that ends now can only come from the NOTIFY.
          await clock.armed();
          assert.equal((await scheduledTasks('ticker')).length, 1);
        } finally {
          await scheduler.stop();
        }
      });
    });
  });
}
