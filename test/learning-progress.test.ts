import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import { agentProgress, learningEvents } from '../src/db/schema.js';
import { EMPTY_PROGRESS, foldEvent, presentProgress, recomputeAgentProgress } from '../src/learning/agent-progress.js';
import { takeLearningLock } from '../src/learning/learning-lock.js';
import { recordTestOutcome, transitionWithLearning } from '../src/learning/learning-event-store.js';
import {
  addXp,
  CUSTODY_PASS_XP,
  DIFFICULTIES,
  DIFFICULTY_BY_LEVEL,
  difficultyFor,
  LEVEL_THRESHOLDS,
  levelFor,
  XP_RULES,
  xpDelta,
} from '../src/learning/xp.js';
import { transitionProposal } from '../src/proposals/transition-store.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

describe('XP rules', () => {
  it('gives +10 for accepted, +15 for applied with passing tests, −5 for rejected, never below 0', () => {
    assert.equal(xpDelta({ kind: 'verdict', outcome: 'accepted' }), 10);
    assert.equal(xpDelta({ kind: 'verdict', outcome: 'rejected' }), -5);
    assert.equal(xpDelta({ kind: 'apply', outcome: 'applied', testVerdict: 'passed' }), 15);
    assert.equal(xpDelta({ kind: 'apply', outcome: 'applied', testVerdict: 'fixed' }), 15);
    assert.equal(xpDelta({ kind: 'apply', outcome: 'applied', testVerdict: null }), 0);
    assert.equal(xpDelta({ kind: 'apply', outcome: 'applied', testVerdict: 'regression' }), 0);
    assert.equal(xpDelta({ kind: 'apply', outcome: 'apply_failed', testVerdict: 'passed' }), 0);
    assert.equal(xpDelta({ kind: 'test', outcome: 'passed' }), 0);
    assert.equal(xpDelta({ kind: 'custody', outcome: 'passed', difficulty: 'expert' }), 35);
    assert.equal(xpDelta({ kind: 'custody', outcome: 'failed', difficulty: 'expert' }), 0);
    assert.equal(addXp(3, -5), 0);
    assert.equal(addXp(0, -5), 0);
    // Floor at zero, in order: two rejections at 0 XP cost nothing, then an acceptance.
    const fold = (outcomes: string[]) =>
      outcomes.reduce(
        (state, outcome, index) => foldEvent(state, { id: index + 1, kind: 'verdict', outcome, features: {} }),
        EMPTY_PROGRESS,
      ).xp;
    assert.equal(fold(['rejected', 'rejected', 'accepted']), 10);
    assert.equal(fold(['accepted', 'rejected', 'rejected', 'rejected']), 0);
    assert.equal(fold(['accepted', 'accepted', 'rejected']), 15);
  });

  it('has levels by XP threshold and a custody difficulty per level', () => {
    assert.equal(levelFor(0), 1);
    assert.equal(levelFor(99), 1);
    assert.equal(levelFor(100), 2);
    assert.equal(levelFor(249), 2);
    assert.equal(levelFor(250), 3);
    assert.equal(levelFor(16_000), 10);
    assert.equal(levelFor(1_000_000), 10);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(difficultyFor), [
      'basic',
      'basic',
      'intermediate',
      'intermediate',
      'advanced',
      'advanced',
      'expert',
      'expert',
      'master',
      'legendary',
    ]);
    assert.deepEqual(new Set(DIFFICULTY_BY_LEVEL), new Set(DIFFICULTIES), 'every difficulty is reachable');
  });

  it('docs/learning.md shows the rules module’s tables', () => {
    const doc = readFileSync(new URL('../docs/learning.md', import.meta.url), 'utf8');
    const table = (marker: string) => {
      const section = doc.split(`<!-- ${marker} -->`)[1]!.split(`<!-- /${marker} -->`)[0]!;
      return section
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .slice(2)
        .map((line) =>
          line
            .split('|')
            .slice(1, -1)
            .map((cell) => cell.trim()),
        );
    };
    const signed = (value: number) => (value > 0 ? `+${value}` : `−${-value}`);
    assert.deepEqual(table('xp-rules'), [
      ['accepted', signed(XP_RULES.accepted)],
      ['applied with passing tests', signed(XP_RULES.applied_with_passing_tests)],
      ['rejected', signed(XP_RULES.rejected)],
    ]);
    assert.deepEqual(
      table('levels'),
      LEVEL_THRESHOLDS.map((threshold, index) => [String(index + 1), String(threshold), DIFFICULTY_BY_LEVEL[index]]),
    );
    assert.deepEqual(
      table('custody-xp'),
      DIFFICULTIES.map((difficulty) => [difficulty, String(CUSTODY_PASS_XP[difficulty])]),
    );
  });
});

for (const target of databaseTargets()) {
  describe(`agent progress and learning events on ${target}`, () => {
    let t: TestApp;
    let writer: string;
    let counter = 0;

    before(async () => {
      t = await createTestApp(target);
      writer = await t.createKey(['proposals:write', 'proposals:read']);
    });
    after(() => t.close());

    const create = async (aiType = 'guardian') => {
      counter += 1;
      const response = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: aiType,
          rule_id: `rule-${counter % 3}`,
          file_path: `lib/p${counter}.md`,
          code_before: `a ${counter}\n`,
          code_after: `b ${counter}\n`,
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<{ id: string }>().id;
    };
    const review = (id: string, verdict: 'accept' | 'reject') =>
      t.request({
        method: 'POST',
        url: `/proposals/${id}/${verdict}`,
        key: writer,
        payload: { reason: verdict === 'accept' ? 'correct' : 'style' },
      });
    const stored = async (agentType: string) => {
      const [row] = await t.database.orm.select().from(agentProgress).where(eq(agentProgress.agentType, agentType));
      const { updated_at: _, ...rest } = presentProgress(row!);
      return rest;
    };
    const recomputed = async (agentType: string) => {
      await t.database.orm.transaction(async (transaction) => {
        await takeLearningLock(transaction);
        await recomputeAgentProgress(transaction, agentType);
      });
      return stored(agentType);
    };

    it('keeps XP by the rules as verdicts, tests and applies happen, equal to a recompute from history', async () => {
      const { orm } = t.database;
      for (const verdict of ['reject', 'reject', 'accept', 'accept', 'accept', 'reject'] as const) {
        assert.equal((await review(await create(), verdict)).statusCode, 200);
      }
      let progress = await stored('guardian');
      assert.equal(progress.xp, 25, '0, 0, 10, 20, 30, 25');
      assert.equal(progress.level, 1);
      assert.equal(progress.verdicts, 6);
      assert.equal(progress.success_rate, 0.5);
      assert.equal(progress.learning_score, 0.5);

      // A tested, accepted and applied proposal: the hooks' own functions, through the state machine.
      const id = await create();
      await transitionProposal(orm, id, { to: 'testing', actor: 'agent:sandbox' });
      const tested = await transitionProposal(orm, id, {
        to: 'test-passed',
        actor: 'agent:sandbox',
        set: { testResults: { verdict: 'passed' } },
      });
      await recordTestOutcome(orm, tested);
      await recordTestOutcome(orm, tested); // a retried hook records nothing twice
      assert.equal((await review(id, 'accept')).statusCode, 200);
      await transitionWithLearning(
        orm,
        id,
        { to: 'applied', actor: 'test', set: { appliedCommit: 'c0ffee', appliedBranch: 'lvlup/x' } },
        { kind: 'apply' },
      );
      const events = await orm
        .select()
        .from(learningEvents)
        .where(eq(learningEvents.proposalId, id))
        .orderBy(asc(learningEvents.id));
      assert.deepEqual(
        events.map((event) => [event.kind, event.outcome, event.xpDelta]),
        [
          ['test', 'passed', 0],
          ['verdict', 'accepted', 10],
          ['apply', 'applied', 15],
        ],
      );
      assert.equal(events[1]!.features.test_verdict, 'passed');
      assert.equal(events[1]!.features.path_pattern, 'lib/*.md');
      assert.equal(events[1]!.reason, 'correct');
      progress = await stored('guardian');
      assert.equal(progress.xp, 50);
      assert.equal(progress.tests_given, 1);
      assert.equal(progress.tests_passed, 1);
      assert.equal(progress.consecutive_passes, 1);
      assert.equal(progress.applied, 1);
      assert.deepEqual(await recomputed('guardian'), progress);

      // The agent's metrics show the same record (the seed's AgentMetrics fields).
      const metrics = (await t.request({ method: 'GET', url: '/agents/guardian/metrics', key: t.adminKey })).json();
      assert.equal(metrics.xp, 50);
      assert.equal(metrics.level, progress.level);
      assert.equal(metrics.learning_score, progress.learning_score);
      assert.equal(metrics.tests_given, 1);
      assert.equal(metrics.tests_passed, 1);
      assert.equal(metrics.consecutive_passes, 1);
    });

    it('stores one event per verdict under concurrent reviews, and progress still equals its history', async () => {
      const contested = await create('imperium');
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, index) => review(contested, index % 2 ? 'accept' : 'reject')),
      );
      assert.equal(answers.filter((answer) => answer.statusCode === 200).length, 1);
      assert.ok(answers.every((answer) => answer.statusCode === 200 || answer.statusCode === 409));
      const rows = await t.database.orm.select().from(learningEvents).where(eq(learningEvents.proposalId, contested));
      assert.equal(rows.length, 1);

      const many = await Promise.all(Array.from({ length: 10 }, () => create('imperium')));
      const results = await Promise.all(many.map((id, index) => review(id, index % 3 === 0 ? 'accept' : 'reject')));
      assert.ok(results.every((result) => result.statusCode === 200));
      const progress = await stored('imperium');
      assert.equal(progress.verdicts, 11);
      assert.deepEqual(await recomputed('imperium'), progress);
      const verdicts = await t.database.orm.select().from(learningEvents).where(eq(learningEvents.kind, 'verdict'));
      assert.equal(verdicts.length, 7 + 11, 'one per verdict that happened');
    });

    it('answers 401, 403 and 400 as problem documents', async () => {
      const problem = (
        response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
        status: number,
      ) => {
        assert.equal(response.statusCode, status);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      };
      for (const [method, url] of [
        ['GET', '/learning/insights'],
        ['GET', '/learning/stats'],
        ['GET', '/learning/suppressions'],
        ['POST', '/learning/trigger'],
        ['POST', '/learning/suppressions/lift'],
      ] as const) {
        problem(await t.request({ method, url }), 401);
      }
      const keysOnly = await t.createKey(['keys:read']);
      problem(await t.request({ method: 'GET', url: '/learning/insights', key: keysOnly }), 403);
      problem(await t.request({ method: 'GET', url: '/learning/stats', key: keysOnly }), 403);
      problem(await t.request({ method: 'POST', url: '/learning/trigger', key: writer, payload: {} }), 403);
      problem(await t.request({ method: 'GET', url: '/learning/insights?days=0', key: writer }), 400);
      const runner = await t.createKey(['agents:run']);
      problem(await t.request({ method: 'POST', url: '/learning/trigger', key: runner, payload: { seed: -1 } }), 400);
      problem(await t.request({ method: 'GET', url: '/proposals/?sort=acceptance', key: writer }), 400);
    });
  });
}
