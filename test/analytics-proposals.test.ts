import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { selectRows } from '../src/analytics/window-queries.js';
import type { TestApp } from './support/app.js';
import { seedThroughRealPaths, useAnalytics, ZERO_REVIEW_TIME, ZERO_STATUSES, type Json } from './support/analytics.js';
import { databaseTargets } from './support/database.js';

for (const target of databaseTargets()) {
  describe(`proposal analytics on ${target}`, () => {
    const analytics = useAnalytics(target);
    const { get } = analytics;
    let t: TestApp;
    let reader: string;
    let writer: string;
    let runner: string;
    let repositoryId: string;
    before(() => {
      ({ t, reader, writer, runner } = analytics);
    });

    it('answers zeros, and nulls with n = 0, on an empty database', async () => {
      const overview = await get('/analytics/overview');
      assert.deepEqual(overview.window, { from: null, to: null });
      assert.equal(overview.repositories.total, 0);
      assert.equal(overview.proposals.total_proposals, 0);
      assert.equal(overview.proposals.acceptance_rate, null);
      assert.deepEqual(overview.proposals.time_to_review, ZERO_REVIEW_TIME);
      assert.deepEqual(overview.proposals.by_status, ZERO_STATUSES);
      assert.equal(overview.tasks.total, 0);
      assert.equal(overview.guardian.open_suggestions, 0);
      assert.deepEqual(overview.sandbox, {
        runs: 0,
        passed: 0,
        failed: 0,
        error: 0,
        proposal_runs: 0,
        baseline_runs: 0,
      });
      assert.deepEqual(overview.llm, {
        calls: 0,
        cached_calls: 0,
        errors: 0,
        input_tokens: 0,
        output_tokens: 0,
        total_tokens: 0,
        cost_usd: 0,
        cost_estimated: true,
      });
      assert.ok(overview.agents.length > 0, 'registered agents are listed');
      for (const agent of overview.agents) {
        assert.equal(agent.xp, null);
        assert.equal(agent.level, null);
        assert.equal(agent.learning_score, null);
      }

      const proposals = await get('/analytics/proposals');
      assert.equal(proposals.total_proposals, 0);
      assert.equal(proposals.totals.reviewed, 0);
      assert.equal(proposals.totals.acceptance_rate, null);
      assert.deepEqual(proposals.totals.time_to_review, ZERO_REVIEW_TIME);
      assert.deepEqual(proposals.by_status, ZERO_STATUSES);
      assert.deepEqual(proposals.by_agent, []);
      assert.deepEqual(proposals.by_day, []);
      assert.deepEqual(Object.values(proposals.test_verdicts), [0, 0, 0, 0, 0, 0]);

      const windowed = await get('/analytics/proposals?from=2025-01-30&to=2025-02-01');
      assert.deepEqual(
        windowed.by_day.map((bucket: Json) => [bucket.date, bucket.created, bucket.acceptance_rate]),
        [
          ['2025-01-30', 0, null],
          ['2025-01-31', 0, null],
          ['2025-02-01', 0, null],
        ],
      );

      const agents = await get('/analytics/agents');
      const guardian = agents.agents.find((agent: Json) => agent.agent_type === 'guardian');
      assert.ok(guardian);
      assert.equal(guardian.runs, 0);
      assert.equal(guardian.success_rate, null);
      assert.deepEqual(guardian.duration, { n: 0, mean_ms: null, median_ms: null, max_ms: null });
      assert.equal(guardian.last_run, null);
      assert.equal(guardian.acceptance_rate, null);
      assert.equal(guardian.xp, null);
      assert.equal(guardian.llm_calls, 0);
    });

    it('seeds proposals, reviews, tasks, scans, sandbox runs and LLM calls through the real paths', async () => {
      repositoryId = await seedThroughRealPaths(analytics);
    });

    it('counts proposals by status, agent and day, with acceptance rates, review times and test verdicts', async () => {
      const body = await get('/analytics/proposals');
      assert.equal(body.total_proposals, 7);
      assert.deepEqual(body.by_status, { ...ZERO_STATUSES, pending: 1, accepted: 3, rejected: 2, applied: 1 });
      // Review times 60, 300, 3600, 120, 600, 30 s.
      assert.deepEqual(body.totals, {
        created: 7,
        awaiting_review: 1,
        open: 4,
        reviewed: 6,
        accepted: 4,
        rejected: 2,
        applied: 1,
        apply_failed: 0,
        acceptance_rate: 0.6667,
        time_to_review: {
          n: 6,
          mean_seconds: 785,
          median_seconds: 210,
          p90_seconds: 2100,
          min_seconds: 30,
          max_seconds: 3600,
        },
      });
      assert.deepEqual(body.by_agent, [
        {
          ai_type: 'guardian',
          created: 4,
          awaiting_review: 0,
          open: 2,
          reviewed: 4,
          accepted: 3,
          rejected: 1,
          applied: 1,
          apply_failed: 0,
          acceptance_rate: 0.75,
          time_to_review: {
            n: 4,
            mean_seconds: 270,
            median_seconds: 210,
            p90_seconds: 510,
            min_seconds: 60,
            max_seconds: 600,
          },
        },
        {
          ai_type: 'imperium',
          created: 3,
          awaiting_review: 1,
          open: 2,
          reviewed: 2,
          accepted: 1,
          rejected: 1,
          applied: 0,
          apply_failed: 0,
          acceptance_rate: 0.5,
          time_to_review: {
            n: 2,
            mean_seconds: 1815,
            median_seconds: 1815,
            p90_seconds: 3243,
            min_seconds: 30,
            max_seconds: 3600,
          },
        },
      ]);
      assert.deepEqual(body.test_verdicts, {
        passed: 1,
        fixed: 0,
        regression: 1,
        'still-failing': 0,
        error: 0,
        untested: 5,
      });

      // Without bounds the series runs from the first active day to the last: the apply happened today.
      const [appliedRow] = await selectRows<{ day: string }>(
        t.database.orm,
        sql`select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day from proposal_transitions where to_status = 'applied'`,
      );
      const appliedDay = appliedRow!.day;
      const days = Math.round((Date.parse(appliedDay) - Date.parse('2025-03-03')) / 86_400_000) + 1;
      assert.equal(body.by_day.length, days);
      assert.deepEqual(body.by_day.slice(0, 3), [
        { date: '2025-03-03', created: 3, accepted: 2, rejected: 1, applied: 0, acceptance_rate: 0.6667 },
        { date: '2025-03-04', created: 3, accepted: 2, rejected: 0, applied: 0, acceptance_rate: 1 },
        { date: '2025-03-05', created: 1, accepted: 0, rejected: 1, applied: 0, acceptance_rate: 0 },
      ]);
      assert.deepEqual(body.by_day.at(-1), {
        date: appliedDay,
        created: 0,
        accepted: 0,
        rejected: 0,
        applied: 1,
        acceptance_rate: null,
      });
      assert.equal(
        body.by_day.reduce((sum: number, bucket: Json) => sum + bucket.created + bucket.applied, 0),
        8,
        'seven creations and one apply, every other day zero',
      );
    });

    it('narrows proposals by window, agent and repository, and buckets by week', async () => {
      const day2 = await get('/analytics/proposals?from=2025-03-04&to=2025-03-04');
      assert.deepEqual(day2.window, { from: '2025-03-04T00:00:00.000Z', to: '2025-03-05T00:00:00.000Z' });
      assert.equal(day2.total_proposals, 3);
      assert.equal(day2.totals.reviewed, 2);
      assert.equal(day2.totals.acceptance_rate, 1);
      assert.equal(day2.totals.time_to_review.median_seconds, 360);
      assert.deepEqual(day2.by_day, [
        { date: '2025-03-04', created: 3, accepted: 2, rejected: 0, applied: 0, acceptance_rate: 1 },
      ]);

      const imperium = await get('/analytics/proposals?ai_type=imperium');
      assert.equal(imperium.total_proposals, 3);
      assert.deepEqual(
        imperium.by_agent.map((row: Json) => row.ai_type),
        ['imperium'],
      );
      assert.equal(imperium.test_verdicts.regression, 1);
      assert.equal(imperium.test_verdicts.untested, 2);
      assert.deepEqual(imperium.filters, { ai_type: 'imperium', repository_id: null });

      const repository = await get(`/analytics/proposals?repository_id=${repositoryId}`);
      assert.equal(repository.total_proposals, 1);
      assert.equal(repository.totals.applied, 1);
      assert.equal(repository.totals.time_to_review.median_seconds, 600);
      assert.equal(repository.test_verdicts.passed, 1);

      const week = await get('/analytics/proposals?from=2025-03-03&to=2025-03-09&granularity=week');
      assert.deepEqual(week.by_day, [
        { date: '2025-03-03', created: 7, accepted: 4, rejected: 2, applied: 0, acceptance_rate: 0.6667 },
      ]);
      const month = await get('/analytics/proposals?from=2025-02-01&to=2025-03-31&granularity=month');
      assert.deepEqual(
        month.by_day.map((bucket: Json) => [bucket.date, bucket.created]),
        [
          ['2025-02-01', 0],
          ['2025-03-01', 7],
        ],
      );

      const none = await get('/analytics/proposals?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z');
      assert.equal(none.total_proposals, 0);
      assert.equal(none.totals.acceptance_rate, null);
      assert.equal(none.totals.time_to_review.n, 0);
    });

    it('answers 401, 403 and 400 as problem documents', async () => {
      const problem = async (url: string, key: string | undefined, status: number) => {
        const response = await t.request({ method: 'GET', url, key });
        assert.equal(response.statusCode, status, `${url}: ${response.body}`);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        return response.json<{ status: number; errors?: { field: string; message: string }[] }>();
      };
      for (const url of ['/analytics/overview', '/analytics/proposals', '/analytics/agents']) {
        await problem(url, undefined, 401);
      }
      const keysOnly = await t.createKey(['keys:read']);
      await problem('/analytics/overview', keysOnly, 403);
      await problem('/analytics/proposals', keysOnly, 403);
      await problem('/analytics/agents', writer, 403);
      await problem('/analytics/proposals', runner, 403);

      const fields = async (url: string, key = reader) =>
        ((await problem(url, key, 400)).errors ?? []).map((error) => error.field);
      assert.deepEqual(await fields('/analytics/proposals?from=2025-03-05&to=2025-03-04'), ['querystring.to']);
      assert.deepEqual(await fields('/analytics/overview?from=2025-03-05T00:00:00Z&to=2025-03-04T23:59:59Z'), [
        'querystring.to',
      ]);
      assert.deepEqual(await fields('/analytics/agents?from=2025-03-05&to=2025-03-01'), ['querystring.to']);
      assert.deepEqual(await fields('/analytics/proposals?from=yesterday'), ['querystring.from']);
      assert.deepEqual(await fields('/analytics/proposals?to=2025-02-30'), ['querystring.to']);
      assert.deepEqual(await fields('/analytics/proposals?from=2025-03-05T10:00:00'), ['querystring.from']);
      assert.deepEqual(await fields('/analytics/proposals?granularity=hour'), ['querystring.granularity']);
      assert.deepEqual(await fields('/analytics/proposals?repository_id=nope'), ['querystring.repository_id']);
      assert.deepEqual(await fields('/analytics/proposals?from=1900-01-01&to=2100-01-01'), ['querystring.granularity']);
      // A day on both sides is one whole day, not an empty window.
      assert.equal((await get('/analytics/proposals?from=2025-03-04&to=2025-03-04')).total_proposals, 3);
    });
  });
}
