import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { repositories } from '../src/db/schema.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createGitFixture, type GitFixture } from './support/git-fixture.js';

const FILES = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`src/f${i}.js`, `export const x${i} = 1;\n`]));

for (const target of databaseTargets()) {
  describe(`suppression on ${target}`, () => {
    let t: TestApp;
    let repo: GitFixture;
    let repositoryId: string;
    let writer: string;
    let maintainer: string;

    before(async () => {
      t = await createTestApp(target);
      writer = await t.createKey(['proposals:write', 'proposals:read']);
      maintainer = await t.createKey(['proposals:read', 'repos:write']);
      repo = createGitFixture(FILES);
      const [row] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'demo',
          source: 'path',
          path: repo.path,
          defaultBranch: 'main',
          policy: DEFAULT_REPOSITORY_POLICY,
        })
        .returning();
      repositoryId = row!.id;
    });
    after(async () => {
      await t.close();
      repo.remove();
    });

    const propose = (file: number, ruleId = 'noisy-rule') =>
      t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          rule_id: ruleId,
          file_path: `src/f${file}.js`,
          code_before: `export const x${file} = 1;\n`,
          code_after: `export const x${file} = 2;\n`,
        },
      });
    const review = (id: string, verdict: 'accept' | 'reject') =>
      t.request({
        method: 'POST',
        url: `/proposals/${id}/${verdict}`,
        key: writer,
        payload: { reason: verdict === 'accept' ? 'valuable' : 'not_needed' },
      });
    const proposeAndReview = async (file: number, verdict: 'accept' | 'reject') => {
      const created = await propose(file);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await review(created.json().id, verdict)).statusCode, 200);
    };
    const suppressions = async () =>
      (await t.request({ method: 'GET', url: '/learning/suppressions', key: writer })).json<
        { repository_id: string; rule_id: string; verdicts: number; acceptance: number }[]
      >();

    it('suppresses a rule after 5 or more verdicts under 20% accepted, and refuses it with 422', async () => {
      await proposeAndReview(0, 'accept');
      for (const file of [1, 2, 3, 4]) await proposeAndReview(file, 'reject');
      assert.deepEqual(await suppressions(), [], '1 of 5 accepted is 20%: not under it');

      await proposeAndReview(5, 'reject');
      const [suppression] = await suppressions();
      assert.equal(suppression?.repository_id, repositoryId);
      assert.equal(suppression?.rule_id, 'noisy-rule');
      assert.equal(suppression?.verdicts, 6);
      assert.ok(Math.abs(suppression.acceptance - 1 / 6) < 1e-4);

      const refused = await propose(6);
      assert.equal(refused.statusCode, 422);
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
      assert.equal(refused.json().code, 'rule_suppressed');
      assert.equal(refused.json().rule_id, 'noisy-rule');
      // Other rules of the repository are unaffected.
      assert.equal((await propose(7, 'useful-rule')).statusCode, 201);

      const insights = await t.request({ method: 'GET', url: '/learning/insights?ai_type=imperium', key: writer });
      assert.equal(insights.statusCode, 200, insights.body);
      const body = insights.json();
      assert.deepEqual(
        body.suppressed_rules.map((entry: { rule_id: string }) => entry.rule_id),
        ['noisy-rule'],
      );
      assert.equal(body.top_rejected_rules[0].rule_id, 'noisy-rule');
      assert.equal(body.top_rejected_rules[0].rejected, 5);
      assert.deepEqual(body.reject_reasons, [{ reason: 'not_needed', count: 5 }]);
      assert.deepEqual(body.accept_reasons, [{ reason: 'valuable', count: 1 }]);
      assert.equal(body.verdicts, 6);
      assert.equal(
        body.acceptance_over_time.reduce((sum: number, day: { verdicts: number }) => sum + day.verdicts, 0),
        6,
      );
      const stats = await t.request({ method: 'GET', url: '/learning/stats', key: writer });
      assert.deepEqual(stats.json().suppressions, { active: 1, lifted: 0 });
    });

    it('is lifted through the API, after which only new verdicts count', async () => {
      const lift = (payload: Record<string, unknown>, key = maintainer) =>
        t.request({ method: 'POST', url: '/learning/suppressions/lift', key, payload });
      const forbidden = await lift({ repository_id: repositoryId, rule_id: 'noisy-rule' }, writer);
      assert.equal(forbidden.statusCode, 403, 'lifting needs repos:write');
      const invalid = await lift({ repository_id: 'not-a-uuid' });
      assert.equal(invalid.statusCode, 400);
      assert.equal(invalid.json().code, 'validation_failed');

      const lifted = await lift({ repository_id: repositoryId, rule_id: 'noisy-rule' });
      assert.equal(lifted.statusCode, 200, lifted.body);
      assert.ok(lifted.json().lifted_at);
      assert.match(lifted.json().lifted_by, /test/);
      assert.deepEqual(await suppressions(), []);
      assert.equal((await lift({ repository_id: repositoryId, rule_id: 'noisy-rule' })).statusCode, 404);

      // Proposed again; one more rejection is not five.
      await proposeAndReview(6, 'reject');
      assert.deepEqual(await suppressions(), []);
      for (const file of [8, 9, 10]) await proposeAndReview(file, 'reject');
      assert.deepEqual(await suppressions(), []);
      await proposeAndReview(11, 'reject');
      const [again] = await suppressions();
      assert.equal(again?.verdicts, 5, 'counted from the lift');
      const history = await t.request({
        method: 'GET',
        url: '/learning/suppressions?include_lifted=true',
        key: writer,
      });
      assert.equal(history.json().length, 2);
    });
  });
}
