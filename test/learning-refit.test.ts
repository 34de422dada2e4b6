import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { desc, eq } from 'drizzle-orm';
import { learningEvents, learningModels, proposals } from '../src/db/schema.js';
import { predict, type AcceptanceModel } from '../src/analysis/acceptance/model.js';
import { extractFeatures } from '../src/learning/features.js';
import { refitModel, refitSettled } from '../src/learning/refit.js';
import { createTestApp, type TestApp } from './support/app.js';
import { gatedComputePool, manualTimer } from './support/compute-gate.js';
import { databaseTargets } from './support/database.js';

function payload(index: number, directory: string) {
  const before = `v${index}: 1\nw: 2\n`;
  return {
    ai_type: index % 2 ? 'imperium' : 'guardian',
    rule_id: index % 3 ? 'rule-a' : 'rule-b',
    category: 'maintainability',
    confidence: 0.5 + (index % 5) / 10,
    file_path: `${directory}/file_${index}.yaml`,
    code_before: before,
    code_after: before.replace(': 1', `: ${index + 100}`),
    description: `proposal ${index}`,
  };
}

for (const target of databaseTargets()) {
  describe(`the acceptance model is refitted after each verdict on ${target}`, () => {
    let t: TestApp;
    let key: string;

    before(async () => {
      t = await createTestApp(target);
      key = await t.createKey(['proposals:write', 'proposals:read']);
    });
    after(() => t.close());

    const newestModel = async () => {
      const [row] = await t.database.orm.select().from(learningModels).orderBy(desc(learningModels.version)).limit(1);
      return row!;
    };

    it('stores a model fitted on every verdict once the refit after the response settles', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 24; index++) {
        const created = await t.request({
          method: 'POST',
          url: '/proposals/',
          key,
          payload: payload(index, index % 2 ? 'src' : 'docs'),
        });
        assert.equal(created.statusCode, 201, created.body);
        ids.push(created.json<{ id: string }>().id);
      }
      // Twenty verdicts in a row, the reviewer liking src/ only: refits coalesce while verdicts come in.
      for (const [index, id] of ids.slice(0, 20).entries()) {
        const verdict = index % 2 ? 'accept' : 'reject';
        const response = await t.request({ method: 'POST', url: `/proposals/${id}/${verdict}`, key, payload: {} });
        assert.equal(response.statusCode, 200, response.body);
      }
      await refitSettled(t.database.orm);

      const [newestVerdict] = await t.database.orm
        .select({ id: learningEvents.id })
        .from(learningEvents)
        .where(eq(learningEvents.kind, 'verdict'))
        .orderBy(desc(learningEvents.id))
        .limit(1);
      const row = await newestModel();
      const model = row.weights as unknown as AcceptanceModel;
      assert.equal(row.version, 1, 'the refit replaces the weights of the newest version');
      assert.equal(row.trainedOn, 20);
      assert.equal(model.refitThrough, newestVerdict!.id, 'fitted on every verdict, the last one included');
      assert.ok(model.trees.length > 0, 'the refit fits the boosted trees');

      // The proposals awaiting review carry the refitted model's scores.
      const waiting = await t.database.orm.select().from(proposals).where(eq(proposals.status, 'pending'));
      assert.equal(waiting.length, 4);
      for (const proposal of waiting) {
        const expected = Math.round(predict(model, extractFeatures(proposal)) * 1_000_000) / 1_000_000;
        assert.ok(Math.abs(proposal.acceptanceScore! - expected) < 1e-6, `${proposal.acceptanceScore} vs ${expected}`);
      }
      const inSource = waiting.filter((proposal) => proposal.filePath.startsWith('src/'));
      const inDocs = waiting.filter((proposal) => proposal.filePath.startsWith('docs/'));
      assert.ok(
        Math.min(...inSource.map((p) => p.acceptanceScore!)) > Math.max(...inDocs.map((p) => p.acceptanceScore!)),
        'the reviewer’s taste is learnt',
      );
    });

    it('a refit over the same verdicts leaves a full retrain’s version; the next verdict’s refit replaces it', async () => {
      const trigger = await t.request({ method: 'POST', url: '/learning/trigger', key: t.adminKey, payload: {} });
      assert.equal(trigger.statusCode, 200, trigger.body);
      const stored = await newestModel();
      assert.equal(stored.version, 2);
      assert.deepEqual(await refitModel(t.database.orm), { stored: false, verdicts: 20 });
      assert.deepEqual((await newestModel()).weights, stored.weights);
      const response = await t.request({ method: 'GET', url: '/proposals/?status=pending', key });
      const [first] = response.json<{ id: string }[]>();
      await t.request({ method: 'POST', url: `/proposals/${first!.id}/accept`, key, payload: {} });
      await refitSettled(t.database.orm);
      const refitted = await newestModel();
      assert.equal(refitted.version, 2);
      assert.equal(refitted.trainedOn, 21);
      assert.notDeepEqual(refitted.weights, stored.weights);
    });
  });

  describe(`the refit runs on the compute pool's threads, off the requests' path, on ${target}`, () => {
    /** An app whose compute pool (one thread) holds every model fit at a gate; `count` proposals in it. */
    async function appWithGatedPool(count: number) {
      const timer = manualTimer();
      const gated = gatedComputePool({
        size: 1,
        maxQueue: 4,
        startTimer: (onTimeout, ms) => timer.startTimer(onTimeout, ms),
      });
      const t = await createTestApp(target, { compute: gated.compute });
      const key = await t.createKey(['proposals:write', 'proposals:read']);
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const created = await t.request({ method: 'POST', url: '/proposals/', key, payload: payload(index, 'src') });
        assert.equal(created.statusCode, 201, created.body);
        ids.push(created.json<{ id: string }>().id);
      }
      const review = (id: string) => t.request({ method: 'POST', url: `/proposals/${id}/accept`, key, payload: {} });
      return { t, gated, timer, ids, review };
    }

    it('answers reviews and /health while a refit is running on a pool thread, then stores it', async () => {
      const { t, gated, ids, review } = await appWithGatedPool(3);
      try {
        const before = gated.compute.stats().completed;
        assert.equal((await review(ids[0]!)).statusCode, 200);
        // The refit reached the pool's thread and is held there: the server still answers.
        await gated.arrived(1);
        const health = await t.request({ method: 'GET', url: '/health' });
        assert.equal(health.statusCode, 200, health.body);
        const second = await review(ids[1]!);
        assert.equal(second.statusCode, 200, second.body);
        assert.equal(gated.compute.stats().inFlight, 1, 'the refit, still held');
        const [beforeRefit] = await t.database.orm.select().from(learningModels);
        assert.equal((beforeRefit!.weights as unknown as AcceptanceModel).refitThrough, undefined);

        gated.open();
        await refitSettled(t.database.orm);
        // The held refit, then once more for the verdict that came while it ran: two fits on the pool.
        assert.equal(gated.compute.stats().completed - before, 2);
        const [newestVerdict] = await t.database.orm
          .select({ id: learningEvents.id })
          .from(learningEvents)
          .where(eq(learningEvents.kind, 'verdict'))
          .orderBy(desc(learningEvents.id))
          .limit(1);
        const [row] = await t.database.orm.select().from(learningModels);
        assert.equal((row!.weights as unknown as AcceptanceModel).refitThrough, newestVerdict!.id);
        assert.equal(row!.trainedOn, 2);
        assert.deepEqual(gated.errors, []);
      } finally {
        gated.open();
        await t.close();
      }
    });

    it('logs a refit that failed on its thread, with the error, and keeps serving', async () => {
      const { t, gated, timer, ids, review } = await appWithGatedPool(2);
      try {
        assert.equal((await review(ids[0]!)).statusCode, 200);
        await gated.arrived(1);
        // The fit outlives its deadline: the pool stops its thread, and the refit fails.
        await timer.running(1);
        timer.fire();
        await refitSettled(t.database.orm);
        const failures = t.logs.filter((line) => line.msg === 'the refit of the acceptance model failed');
        assert.equal(failures.length, 1, t.logText());
        assert.equal(failures[0]!.level, 50);
        const error = failures[0]!.err as { type: string; message: string; code: string };
        assert.equal(error.type, 'ComputeTimeoutError');
        assert.equal(error.code, 'compute_timeout');
        assert.match(error.message, /fitAcceptanceModel/);
        // The verdict stands and the incremental model holds until the next refit.
        const [row] = await t.database.orm.select().from(learningModels);
        assert.equal(row!.trainedOn, 1);
        assert.equal((row!.weights as unknown as AcceptanceModel).refitThrough, undefined);

        gated.open();
        assert.equal((await review(ids[1]!)).statusCode, 200);
        await refitSettled(t.database.orm);
        const [refitted] = await t.database.orm.select().from(learningModels);
        assert.equal(refitted!.trainedOn, 2);
        assert.ok((refitted!.weights as unknown as AcceptanceModel).refitThrough !== undefined);
      } finally {
        gated.open();
        await t.close();
      }
    });
  });
}
