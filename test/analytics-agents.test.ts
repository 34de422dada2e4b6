import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { selectRows } from '../src/analytics/window-queries.js';
import type { TestApp } from './support/app.js';
import { close, median, seedThroughRealPaths, useAnalytics, ZERO_STATUSES, type Json } from './support/analytics.js';
import { databaseTargets } from './support/database.js';

for (const target of databaseTargets()) {
  describe(`agent analytics and the overview on ${target}`, () => {
    const analytics = useAnalytics(target);
    const { get } = analytics;
    let t: TestApp;
    let reader: string;
    let repositoryId: string;
    before(() => {
      ({ t, reader } = analytics);
    });

    it('seeds proposals, reviews, tasks, scans, sandbox runs and LLM calls through the real paths', async () => {
      repositoryId = await seedThroughRealPaths(analytics);
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
  });
}
