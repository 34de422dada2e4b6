import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { agentProgress, learningEvents, repositories } from '../src/db/schema.js';
import { presentProgress, recomputeAgentProgress } from '../src/learning/agent-progress.js';
import { takeLearningLock } from '../src/learning/learning-lock.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { storeCustodyHistory } from './support/custody.js';
import { databaseTargets } from './support/database.js';
import { createGitFixture, type GitFixture } from './support/git-fixture.js';

interface TaskBody {
  id: string;
  status: string;
  agent_type: string;
  result: { seed: number; tests: Record<string, unknown>[]; errors: unknown[] } | null;
  error: unknown;
}

for (const target of databaseTargets()) {
  describe(`the custody protocol on ${target}`, { timeout: 120_000 }, () => {
    let t: TestApp;
    let workspace: string;
    let runner: string;
    let reader: string;
    let repo: GitFixture;

    before(async () => {
      workspace = await mkdtemp(path.join(os.tmpdir(), 'lvlup-custody-api-'));
      t = await createTestApp(target, {
        environment: { LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 50 },
      });
      runner = await t.createKey(['agents:read', 'agents:run']);
      reader = await t.createKey(['agents:read']);
    });
    after(async () => {
      await t.close();
      repo?.remove();
      await rm(workspace, { recursive: true, force: true });
    });

    const finished = (id: string) =>
      eventually(
        t,
        async () => {
          const body = (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: reader })).json<TaskBody>();
          return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
        },
        60_000,
      );

    const runCustody = async (payload: Record<string, unknown>) => {
      const started = await t.request({ method: 'POST', url: '/api/v1/custody/run', key: runner, payload });
      assert.equal(started.statusCode, 202, started.body);
      assert.equal(started.headers.location, `/api/v1/tasks/${started.json().id}`);
      assert.equal(started.json().agent_type, 'custody');
      const task = await finished(started.json<TaskBody>().id);
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      return task;
    };
    const progressOf = async (agentType: string) => {
      const [row] = await t.database.orm.select().from(agentProgress).where(eq(agentProgress.agentType, agentType));
      if (!row) return undefined;
      const { updated_at: _, ...rest } = presentProgress(row);
      return rest;
    };

    it('runs a Guardian custody test, stores it, and awards XP by difficulty through learning events', async () => {
      const first = await runCustody({ agent_type: 'guardian', seed: 42 });
      assert.equal(first.result!.seed, 42);
      const [test] = first.result!.tests as { id: string; difficulty: string; passed: boolean; xp_awarded: number }[];
      assert.equal(test!.difficulty, 'basic', "level 1's difficulty when none is given");
      assert.equal(test!.passed, true);
      assert.equal(test!.xp_awarded, 5);

      const listed = await t.request({
        method: 'GET',
        url: '/api/v1/custody/results?agent_type=guardian',
        key: reader,
      });
      assert.equal(listed.statusCode, 200);
      assert.equal(listed.headers['x-total-count'], '1');
      const [summary] = listed.json();
      assert.equal(summary.id, test!.id);
      assert.equal(summary.cases, 6);
      assert.equal(summary.score, 1);
      assert.equal(summary.threshold, 0.8);
      assert.equal(summary.task_id, first.id);
      assert.equal(summary.trigger, 'manual');

      const detail = await t.request({ method: 'GET', url: `/api/v1/custody/results/${test!.id}`, key: reader });
      assert.equal(detail.statusCode, 200);
      const results = detail.json().results as { expected: Record<string, unknown>; correct: boolean }[];
      assert.equal(results.length, 6);
      assert.ok(results.every((result) => result.correct));
      assert.ok(
        results.some((result) => result.expected.vulnerable === true && typeof result.expected.line === 'number'),
      );

      // a harder difficulty is worth more; the same seed regenerates the same cases
      const second = await runCustody({ agent_type: 'guardian', difficulty: 'intermediate', seed: 42 });
      assert.equal((second.result!.tests[0] as { xp_awarded: number }).xp_awarded, 10);
      const again = await runCustody({ agent_type: 'guardian', seed: 42 });
      const repeat = await t.request({
        method: 'GET',
        url: `/api/v1/custody/results/${(again.result!.tests[0] as { id: string }).id}`,
        key: reader,
      });
      assert.deepEqual(repeat.json().results, results);

      const events = await t.database.orm
        .select()
        .from(learningEvents)
        .where(and(eq(learningEvents.kind, 'custody'), eq(learningEvents.agentType, 'guardian')));
      assert.deepEqual(events.map((event) => [event.outcome, event.xpDelta]).sort(), [
        ['passed', 10],
        ['passed', 5],
        ['passed', 5],
      ]);
      const progress = await progressOf('guardian');
      assert.equal(progress?.xp, 20);
      // one writer: recomputing from history gives the same record
      await t.database.orm.transaction(async (transaction) => {
        await takeLearningLock(transaction);
        await recomputeAgentProgress(transaction, 'guardian');
      });
      assert.deepEqual(await progressOf('guardian'), progress);
    });

    it('runs every testable agent at its own difficulty when the input names none (the scheduled form)', async () => {
      const started = await t.request({ method: 'POST', url: '/agents/custody/run', key: runner, payload: {} });
      assert.equal(started.statusCode, 202, started.body);
      const task = await finished(started.json<TaskBody>().id);
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      const tests = task.result!.tests as { agent_type: string; difficulty: string; seed: number; passed: boolean }[];
      assert.deepEqual(
        tests.map((test) => [test.agent_type, test.difficulty, test.passed]),
        [
          ['guardian', 'basic', true],
          ['imperium', 'basic', true],
          ['sandbox', 'basic', true],
        ],
      );
      assert.ok(tests.every((test) => test.seed === task.result!.seed));
      assert.equal((await progressOf('imperium'))?.xp, 5);
      assert.equal((await progressOf('sandbox'))?.xp, 5);
      const schedules = await t.request({ method: 'GET', url: '/api/v1/schedules/custody', key: reader });
      assert.equal(schedules.statusCode, 200);
      assert.equal(schedules.json().interval_seconds, 3600);
    });

    it('computes eligibility per the rule and ranks agents on the leaderboard', async () => {
      // guardian: 4 passes; imperium: 1 pass; sandbox: 1 pass, then these (oldest first)
      await storeCustodyHistory(t.database.orm, 'sandbox', [true, true, false, false, false]);
      await storeCustodyHistory(t.database.orm, 'imperium', [false, true, false, true]);
      const response = await t.request({ method: 'GET', url: '/api/v1/custody/eligibility', key: reader });
      assert.equal(response.statusCode, 200);
      const byType = new Map(
        response.json<{ agent_type: string }[]>().map((entry) => [entry.agent_type, entry as Record<string, unknown>]),
      );
      assert.deepEqual(byType.get('guardian'), {
        agent_type: 'guardian',
        eligible: true,
        last_five: [true, true, true, true],
        passed_of_last_five: 4,
        consecutive_failures: 0,
        reason: '4 of the last 4 custody tests passed, 0 consecutive failures',
      });
      // the history was stored with earlier timestamps than the real run: newest first is the real pass
      assert.equal(byType.get('imperium')!.eligible, true, JSON.stringify(byType.get('imperium')));
      assert.deepEqual(byType.get('imperium')!.last_five, [true, true, false, true, false]);
      const sandbox = byType.get('sandbox')!;
      assert.equal(sandbox.eligible, false);
      assert.deepEqual(sandbox.last_five, [true, false, false, false, true]);
      assert.equal(sandbox.consecutive_failures, 0);
      assert.match(String(sandbox.reason), /2 of the last 5 custody tests passed \(3 of the last 5 needed\)/);

      // three failures after its newest pass: named as such
      await storeCustodyHistory(t.database.orm, 'conquest', [true, true, true, false, false, false]);
      const conquest = await t.request({
        method: 'GET',
        url: '/api/v1/custody/eligibility?agent_type=conquest',
        key: reader,
      });
      assert.equal(conquest.json()[0].eligible, false);
      assert.equal(conquest.json()[0].consecutive_failures, 3);
      assert.match(conquest.json()[0].reason, /3 consecutive custody failures \(at most 2 allowed\)/);

      const failed = await t.request({ method: 'GET', url: '/api/v1/custody/results?passed=false', key: reader });
      assert.equal(failed.headers['x-total-count'], '8');
      const page = await t.request({ method: 'GET', url: '/api/v1/custody/results?limit=2&skip=1', key: reader });
      assert.equal(page.json().length, 2);

      const board = await t.request({ method: 'GET', url: '/api/v1/custody/leaderboard', key: reader });
      assert.equal(board.statusCode, 200);
      const [top] = board.json();
      assert.equal(top.rank, 1);
      assert.equal(top.agent_type, 'guardian');
      assert.equal(top.xp, 25);
      assert.equal(top.custody_tests, 4);
      assert.equal(top.custody_pass_rate, 1);
      assert.equal(top.eligible, true);
    });

    it('gates auto-apply on level, custody and acceptance, naming each, and applies when all hold', async () => {
      const source = 'exports.answer = () => 41;\n';
      repo = createGitFixture({ 'answer.js': source });
      const [row] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'custody-gate',
          source: 'path',
          path: repo.path,
          defaultBranch: 'main',
          policy: {
            ...DEFAULT_REPOSITORY_POLICY,
            auto_apply: true,
            auto_apply_min_confidence: 0.5,
            auto_apply_min_level: 2,
            auto_apply_min_acceptance: 0.99,
          },
        })
        .returning();
      const writer = await t.createKey(['proposals:write', 'proposals:read', 'repos:write']);
      // a verdict first, so that a model exists and new proposals are scored
      const warmUp = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: { ai_type: 'guardian', file_path: 'notes.md', code_before: 'a\n', code_after: 'b\n' },
      });
      assert.equal(
        (
          await t.request({
            method: 'POST',
            url: `/proposals/${warmUp.json().id}/accept`,
            key: writer,
            payload: { reason: 'correct' },
          })
        ).statusCode,
        200,
      );
      const propose = async (aiType: string, after: string) => {
        const response = await t.request({
          method: 'POST',
          url: '/proposals/',
          key: writer,
          payload: {
            ai_type: aiType,
            repository_id: row!.id,
            file_path: 'answer.js',
            code_before: source,
            code_after: after,
            confidence: 0.9,
          },
        });
        assert.equal(response.statusCode, 201, response.body);
        return response.json<{ id: string; acceptance_score: number | null }>();
      };
      const autoApply = (id: string) => t.request({ method: 'POST', url: `/proposals/${id}/auto-apply`, key: writer });

      const bySandbox = await propose('sandbox', 'exports.answer = () => 42;\n');
      assert.notEqual(bySandbox.acceptance_score, null);
      const blocked = await autoApply(bySandbox.id);
      assert.equal(blocked.statusCode, 409, blocked.body);
      assert.equal(blocked.json().code, 'auto_apply_blocked');
      assert.deepEqual(
        blocked.json().failed_gates.map((gate: { gate: string }) => gate.gate),
        ['level', 'custody', 'acceptance'],
      );
      assert.match(blocked.json().failed_gates[0].detail, /sandbox is level 1, below the policy's 2/);
      assert.match(blocked.json().failed_gates[1].detail, /sandbox is not custody-eligible: 2 of the last 5/);

      // guardian earns level 2 through a legendary custody pass (+100 XP): 125 XP
      const legendary = await runCustody({ agent_type: 'guardian', difficulty: 'legendary', seed: 7 });
      assert.equal((legendary.result!.tests[0] as { passed: boolean }).passed, true, JSON.stringify(legendary.result));
      assert.equal((await progressOf('guardian'))?.level, 2);
      const byGuardian = await propose('guardian', 'exports.answer = () => 43;\n');
      const onlyAcceptance = await autoApply(byGuardian.id);
      assert.deepEqual(
        onlyAcceptance.json().failed_gates.map((gate: { gate: string }) => gate.gate),
        ['acceptance'],
      );
      assert.match(onlyAcceptance.json().failed_gates[0].detail, /acceptance score .* is below the policy's 0.99/);
      await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${row!.id}`,
        key: t.adminKey,
        payload: { policy: { auto_apply_min_acceptance: byGuardian.acceptance_score } },
      });
      const applied = await autoApply(byGuardian.id);
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(applied.json().status, 'applied');
    });

    it('answers 401, 403 and 400 as problem documents', async () => {
      const problem = async (
        request: Parameters<TestApp['request']>[0],
        status: number,
      ): Promise<Record<string, unknown>> => {
        const response = await t.request(request);
        assert.equal(
          response.statusCode,
          status,
          `${String(request.method)} ${JSON.stringify(request.url)}: ${response.body}`,
        );
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        return response.json();
      };
      const routes = [
        ['POST', '/api/v1/custody/run'],
        ['GET', '/api/v1/custody/results'],
        ['GET', '/api/v1/custody/results/00000000-0000-4000-8000-000000000000'],
        ['GET', '/api/v1/custody/leaderboard'],
        ['GET', '/api/v1/custody/eligibility'],
      ] as const;
      for (const [method, url] of routes)
        await problem({ method, url, payload: method === 'POST' ? {} : undefined }, 401);
      const keysOnly = await t.createKey(['keys:read']);
      for (const [method, url] of routes) {
        await problem(
          { method, url, key: keysOnly, payload: method === 'POST' ? { agent_type: 'guardian' } : undefined },
          403,
        );
      }
      await problem(
        { method: 'POST', url: '/api/v1/custody/run', key: reader, payload: { agent_type: 'guardian' } },
        403,
      );
      for (const payload of [
        {},
        { agent_type: 'conquest' },
        { agent_type: 'guardian', difficulty: 'impossible' },
        { agent_type: 'guardian', seed: -1 },
        { agent_type: 'guardian', seed: 1.5 },
        { agent_type: 'guardian', surprise: true },
      ]) {
        await problem({ method: 'POST', url: '/api/v1/custody/run', key: runner, payload }, 400);
      }
      await problem({ method: 'GET', url: '/api/v1/custody/results?passed=maybe', key: reader }, 400);
      await problem({ method: 'GET', url: '/api/v1/custody/results?limit=0', key: reader }, 400);
      await problem({ method: 'GET', url: '/api/v1/custody/results/not-a-uuid', key: reader }, 400);
      await problem(
        { method: 'GET', url: '/api/v1/custody/results/00000000-0000-4000-8000-000000000000', key: reader },
        404,
      );
    });
  });
}
