import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { selectRows } from '../src/analytics/window-queries.js';
import { recordUsage } from '../src/llm/token-usage-store.js';
import { transitionProposal } from '../src/proposals/transition-store.js';
import { storeBaseline, storeProposalRun } from '../src/sandbox/run-store.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository } from './support/repository-fixtures.js';
import { testRegistry } from './support/test-agents.js';

const APP_JS =
  "const { exec } = require('child_process');\n" +
  'function run(req) {\n' +
  "  exec('ls ' + req.query.dir);\n" +
  '  eval(req.body.code);\n' +
  '}\n' +
  'module.exports = { run };\n';
const CONFIG_PY = 'import yaml\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.load(handle)\n';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies, checked field by field
type Json = Record<string, any>;

const ZERO_REVIEW_TIME = {
  n: 0,
  mean_seconds: null,
  median_seconds: null,
  p90_seconds: null,
  min_seconds: null,
  max_seconds: null,
};
const ZERO_STATUSES = {
  pending: 0,
  testing: 0,
  'test-passed': 0,
  'test-failed': 0,
  accepted: 0,
  rejected: 0,
  applied: 0,
  'apply-failed': 0,
  expired: 0,
  superseded: 0,
};

const close = (actual: number | null, expected: number, label: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 0.0015, `${label}: ${actual} ≠ ${expected}`);

/** Continuous median, as percentile_cont(0.5). */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
};

for (const target of databaseTargets()) {
  describe(`analytics on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let clock = new Date('2025-03-01T00:00:00Z');
    let reader: string;
    let writer: string;
    let runner: string;
    let repositoryId: string;
    const ids: Record<string, string> = {};

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-analytics-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        now: () => clock,
        agents: testRegistry(),
        worker: { pollIntervalMs: 50 },
      });
      reader = await t.createKey(['proposals:read', 'agents:read']);
      writer = await t.createKey(['proposals:read', 'proposals:write']);
      runner = await t.createKey(['agents:read', 'agents:run']);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const at = (instant: string) => {
      clock = new Date(instant);
    };
    const get = async (url: string, key = reader): Promise<Json> => {
      const response = await t.request({ method: 'GET', url, key });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<Json>();
    };
    let counter = 0;
    const create = async (name: string, aiType: string, instant: string, extra: Json = {}) => {
      at(instant);
      counter += 1;
      const response = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: aiType,
          file_path: `notes/n${counter}.md`,
          code_before: `old ${counter}\n`,
          code_after: `new ${counter}\n`,
          ...extra,
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      ids[name] = response.json<{ id: string }>().id;
    };
    const review = async (name: string, verdict: 'accept' | 'reject', instant: string) => {
      at(instant);
      const response = await t.request({
        method: 'POST',
        url: `/proposals/${ids[name]}/${verdict}`,
        key: writer,
        payload: { reason: verdict === 'accept' ? 'correct' : 'style' },
      });
      assert.equal(response.statusCode, 200, response.body);
    };
    const runTask = async (agentType: string, input: Json) => {
      const started = await t.request({ method: 'POST', url: `/agents/${agentType}/run`, key: runner, payload: input });
      assert.equal(started.statusCode, 202, started.body);
      const id = started.json<{ id: string }>().id;
      return eventually(async () => {
        const task = (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: runner })).json<Json>();
        return ['succeeded', 'failed', 'cancelled'].includes(task.status as string) ? task : undefined;
      }, 30_000);
    };

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
      const folder = path.join(workspace, 'shop');
      await createRepository(folder, { 'src/app.js': APP_JS, 'tools/config.py': CONFIG_PY, 'docs/a.md': 'hello\n' });
      const registered = await t.request({
        method: 'POST',
        url: '/api/v1/repositories',
        key: t.adminKey,
        payload: { path: folder },
      });
      assert.equal(registered.statusCode, 201, registered.body);
      repositoryId = registered.json<{ id: string }>().id;

      // Day 1 (2025-03-03): three proposals, three verdicts after 60 s, 300 s and 3600 s.
      await create('g1', 'guardian', '2025-03-03T10:00:00Z');
      await create('g2', 'guardian', '2025-03-03T10:00:00Z');
      await create('i1', 'imperium', '2025-03-03T10:00:00Z');
      await review('g1', 'accept', '2025-03-03T10:01:00Z');
      await review('g2', 'reject', '2025-03-03T10:05:00Z');
      await review('i1', 'accept', '2025-03-03T11:00:00Z');
      // Day 2: one accepted after 120 s, one left pending, one on the repository tested, accepted after 600 s, applied.
      await create('g3', 'guardian', '2025-03-04T09:00:00Z');
      await create('i2', 'imperium', '2025-03-04T09:00:00Z');
      await create('r1', 'guardian', '2025-03-04T09:00:00Z', {
        repository_id: repositoryId,
        file_path: 'docs/a.md',
        code_before: 'hello\n',
        code_after: 'hello world\n',
      });
      const { orm } = t.database;
      await transitionProposal(orm, ids.r1!, { to: 'testing', actor: 'agent:sandbox' });
      await transitionProposal(orm, ids.r1!, {
        to: 'test-passed',
        actor: 'agent:sandbox',
        set: { testResults: { verdict: 'passed' } },
      });
      await review('g3', 'accept', '2025-03-04T09:02:00Z');
      await review('r1', 'accept', '2025-03-04T09:10:00Z');
      const applied = await t.request({ method: 'POST', url: `/proposals/${ids.r1}/apply`, key: t.adminKey });
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(applied.json().status, 'applied');
      // Day 3: a proposal whose test found a regression, rejected after 30 s.
      await create('i3', 'imperium', '2025-03-05T12:00:00Z');
      await transitionProposal(orm, ids.i3!, { to: 'testing', actor: 'agent:sandbox' });
      await transitionProposal(orm, ids.i3!, {
        to: 'test-failed',
        actor: 'agent:sandbox',
        set: { testResults: { verdict: 'regression' } },
      });
      await review('i3', 'reject', '2025-03-05T12:00:30Z');

      // Sandbox runs, through their store.
      const head = (
        await t.request({ method: 'GET', url: `/api/v1/repositories/${repositoryId}`, key: t.adminKey })
      ).json<Json>().head_commit as string;
      const run = {
        repositoryId,
        commit: head,
        checksKey: 'checks',
        commands: ['true'],
        isolation: 'none' as const,
        durationMs: 10,
        startedAt: new Date('2025-03-04T09:05:00Z'),
        finishedAt: new Date('2025-03-04T09:05:01Z'),
      };
      await storeBaseline(orm, { ...run, status: 'failed' });
      await storeProposalRun(orm, { ...run, proposalId: ids.r1!, status: 'passed' });

      // Language model calls, through the usage store.
      const call = {
        taskId: undefined,
        provider: 'openai' as const,
        model: 'gpt-test',
        purpose: undefined,
        costEstimated: true,
        cached: false,
        outcome: 'ok' as const,
        errorCode: undefined,
        durationMs: 5,
      };
      await recordUsage(orm, {
        ...call,
        agentType: 'imperium',
        inputTokens: 100,
        outputTokens: 50,
        costUsd: 0.0125,
        createdAt: new Date('2025-03-03T10:00:00Z'),
      });
      await recordUsage(orm, {
        ...call,
        agentType: 'imperium',
        inputTokens: 200,
        outputTokens: 0,
        costUsd: 0.5,
        outcome: 'error',
        errorCode: 'timeout',
        createdAt: new Date('2025-03-04T10:00:00Z'),
      });
      await recordUsage(orm, {
        ...call,
        agentType: 'guardian',
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0,
        costEstimated: false,
        cached: true,
        createdAt: new Date('2025-03-05T10:00:00Z'),
      });

      // Tasks: a Guardian scan of the repository and three scripted runs, one of them failing for good.
      const scan = await runTask('guardian', { repository_id: repositoryId });
      assert.equal(scan.status, 'succeeded', JSON.stringify(scan.error));
      assert.ok((scan.result as Json).findings >= 2, 'the fixture has findings');
      const runs = [
        await runTask('scripted', {}),
        await runTask('scripted', {}),
        await runTask('scripted', { fail_attempts: 1, retryable: false }),
      ];
      assert.deepEqual(
        runs.map((run) => run.status),
        ['succeeded', 'succeeded', 'failed'],
      );
      // Their durations, set rather than waited for: 40, 80 and 5 ms, ending when they ended.
      for (const [index, milliseconds] of [40, 80, 5].entries()) {
        await t.database.orm.execute(
          sql`update tasks set started_at = finished_at - make_interval(secs => ${milliseconds / 1000})
            where id = ${runs[index]!.id as string}`,
        );
      }
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

    it('reports each agent type: runs and durations from stored tasks, proposals, verdicts, progress and LLM use', async () => {
      const body = await get('/analytics/agents');
      const byType = new Map<string, Json>(body.agents.map((agent: Json) => [agent.agent_type, agent]));

      const scripted = byType.get('scripted')!;
      const rows = await selectRows<{ id: string; status: string; ms: string | number; finished: string }>(
        t.database.orm,
        sql`select id, status, extract(epoch from (finished_at - started_at)) * 1000 as ms,
          to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished
        from tasks where agent_type = 'scripted' order by finished_at desc, id desc`,
      );
      const durations = rows.map((row) => Number(row.ms));
      assert.equal(scripted.runs, 3);
      assert.equal(scripted.succeeded, 2);
      assert.equal(scripted.failed, 1);
      assert.equal(scripted.cancelled, 0);
      assert.equal(scripted.success_rate, 0.6667);
      assert.equal(scripted.duration.n, 3);
      close(scripted.duration.mean_ms, durations.reduce((sum, value) => sum + value, 0) / 3, 'mean');
      close(scripted.duration.median_ms, median(durations), 'median');
      close(scripted.duration.max_ms, Math.max(...durations), 'max');
      close(scripted.duration.median_ms, 40, 'the 40 ms run is the median');
      assert.deepEqual(scripted.last_run, {
        task_id: rows[0]!.id,
        status: rows[0]!.status,
        finished_at: rows[0]!.finished,
      });
      assert.equal(scripted.proposals_created, 0);
      assert.equal(scripted.acceptance_rate, null);
      assert.equal(scripted.xp, null);
      assert.equal(scripted.agents, 1);

      const guardian = byType.get('guardian')!;
      assert.equal(guardian.runs, 1);
      assert.equal(guardian.succeeded, 1);
      assert.equal(guardian.success_rate, 1);
      assert.equal(guardian.proposals_created, 4);
      assert.equal(guardian.proposals_accepted, 3);
      assert.equal(guardian.proposals_rejected, 1);
      assert.equal(guardian.proposals_applied, 1);
      assert.equal(guardian.acceptance_rate, 0.75);
      // +10, −5, +10, +10, then +15 for applying a change whose tests passed.
      assert.equal(guardian.xp, 40);
      assert.equal(guardian.level, 1);
      assert.equal(guardian.learning_score, 0.75);
      assert.equal(guardian.llm_calls, 1);
      assert.equal(guardian.llm_tokens, 15);
      assert.equal(guardian.llm_cost_usd, 0);
      assert.equal(guardian.status, 'idle');
      assert.match(guardian.agent_id, /^[0-9a-f-]{36}$/);

      const imperium = byType.get('imperium')!;
      assert.equal(imperium.runs, 0);
      assert.equal(imperium.proposals_created, 3);
      assert.equal(imperium.proposals_accepted, 1);
      assert.equal(imperium.proposals_rejected, 1);
      assert.equal(imperium.acceptance_rate, 0.5);
      assert.equal(imperium.xp, 5);
      assert.equal(imperium.learning_score, 0.5);
      assert.equal(imperium.llm_calls, 2);
      assert.equal(imperium.llm_tokens, 350);
      assert.equal(imperium.llm_cost_usd, 0.5125);

      // In a window: day 2 only (verdicts by their time; the tasks ran later, today).
      const day2 = await get('/analytics/agents?from=2025-03-04&to=2025-03-04&agent_type=guardian');
      assert.deepEqual(
        day2.agents.map((agent: Json) => agent.agent_type),
        ['guardian'],
      );
      const windowed = day2.agents[0] as Json;
      assert.equal(windowed.runs, 0);
      assert.equal(windowed.last_run, null);
      assert.equal(windowed.proposals_created, 2);
      assert.equal(windowed.proposals_accepted, 2);
      assert.equal(windowed.proposals_rejected, 0);
      assert.equal(windowed.proposals_applied, 0);
      assert.equal(windowed.acceptance_rate, 1);
      assert.equal(windowed.llm_calls, 0);
      assert.equal(windowed.xp, 40, 'progress is all time');
    });

    it('gives an overview of repositories, proposals, tasks, agents, Guardian, Sandbox and LLM use', async () => {
      // One suggestion reviewed: the open ones are the rest.
      const suggestions = await t.request({
        method: 'GET',
        url: `/guardian/suggestions?repository_id=${repositoryId}`,
        key: reader,
      });
      const listed = suggestions.json<{ id: string; severity: string }[]>();
      const expected: Record<string, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
      for (const suggestion of listed) expected[suggestion.severity]! += 1;
      const rejected = listed[0]!;
      const response = await t.request({
        method: 'POST',
        url: `/guardian/suggestions/${rejected.id}/reject`,
        key: t.adminKey,
        payload: { reason: 'false positive' },
      });
      assert.equal(response.statusCode, 200, response.body);
      expected[rejected.severity]! -= 1;

      const body = await get('/analytics/overview');
      assert.equal(body.repositories.total, 1);
      assert.equal(body.proposals.total_proposals, 7);
      assert.equal(body.proposals.open, 4);
      assert.equal(body.proposals.reviewed, 6);
      assert.equal(body.proposals.acceptance_rate, 0.6667);
      assert.equal(body.proposals.applied, 1);
      assert.equal(body.proposals.time_to_review.median_seconds, 210);
      assert.deepEqual(body.proposals.by_status, {
        ...ZERO_STATUSES,
        pending: 1,
        accepted: 3,
        rejected: 2,
        applied: 1,
      });

      const [deadLetters] = await selectRows<{ n: number }>(
        t.database.orm,
        sql`select (count(*) filter (where dead_letter))::int as n from tasks`,
      );
      assert.deepEqual(body.tasks, {
        total: 4,
        by_status: { queued: 0, running: 0, retrying: 0, succeeded: 3, failed: 1, cancelled: 0 },
        dead_letters: deadLetters!.n,
      });

      const guardian = body.agents.find((agent: Json) => agent.agent_type === 'guardian');
      assert.deepEqual(
        { xp: guardian.xp, level: guardian.level, learning_score: guardian.learning_score, status: guardian.status },
        { xp: 40, level: 1, learning_score: 0.75, status: 'idle' },
      );
      const scripted = body.agents.find((agent: Json) => agent.agent_type === 'scripted');
      assert.equal(scripted.status, 'error', 'its last task failed');
      assert.equal(scripted.xp, null);

      assert.deepEqual(body.guardian, { open_suggestions: listed.length - 1, by_severity: expected });
      assert.deepEqual(body.sandbox, { runs: 2, passed: 1, failed: 1, error: 0, proposal_runs: 1, baseline_runs: 1 });
      assert.deepEqual(body.llm, {
        calls: 3,
        cached_calls: 1,
        errors: 1,
        input_tokens: 310,
        output_tokens: 55,
        total_tokens: 365,
        cost_usd: 0.5125,
        cost_estimated: false,
      });

      // In a window: day 1 only.
      const day1 = await get('/analytics/overview?from=2025-03-03&to=2025-03-03');
      assert.equal(day1.proposals.total_proposals, 3);
      assert.equal(day1.proposals.acceptance_rate, 0.6667);
      assert.equal(day1.tasks.total, 0);
      assert.equal(day1.sandbox.runs, 0);
      assert.equal(day1.llm.calls, 1);
      assert.equal(day1.llm.total_tokens, 150);
      assert.equal(day1.repositories.total, 1, 'current state ignores the window');
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
