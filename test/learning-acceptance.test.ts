import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import { learningEvents, learningModels } from '../src/db/schema.js';
import { auc } from '../src/learning/evaluation.js';
import { seededRandom } from '../src/analysis/acceptance/model.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const RULES = ['rule-a', 'rule-b', 'rule-c', 'rule-d'] as const;
const DIRECTORIES = ['src', 'lib', 'test'] as const;
// Guardian scans TypeScript (as it would); Markdown and YAML are not scanned, which keeps the test quick.
const EXTENSIONS = ['.ts', '.md', '.yaml'] as const;

interface Draft {
  readonly payload: Record<string, unknown>;
  readonly rule: (typeof RULES)[number];
  readonly directory: (typeof DIRECTORIES)[number];
  readonly changedLines: number;
}

/** A proposal with random provenance, place and size; its content is unique so none is a duplicate. */
function draft(index: number, random: () => number): Draft {
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const rule = pick(RULES);
  const directory = pick(DIRECTORIES);
  const extension = pick(EXTENSIONS);
  const changedLines = random() < 0.5 ? 1 + Math.floor(random() * 3) : 15 + Math.floor(random() * 25);
  const line = (k: number, value: number) =>
    extension === '.ts' ? `export const v${k} = ${value};` : `v${k}: ${value}`;
  const total = changedLines + 3;
  const before = Array.from({ length: total }, (_, k) => line(k, k)).join('\n') + '\n';
  const after =
    Array.from({ length: total }, (_, k) => line(k, k < changedLines ? k + 1000 * (index + 1) : k)).join('\n') + '\n';
  return {
    rule,
    directory,
    changedLines,
    payload: {
      ai_type: pick(['imperium', 'guardian']),
      rule_id: rule,
      category: 'maintainability',
      confidence: Math.round(random() * 100) / 100,
      file_path: `${directory}/module_${index}${extension}`,
      code_before: before,
      code_after: after,
      description: `proposal ${index}`,
    },
  };
}

/**
 * The reviewer's hidden preference, which lvlup only ever sees through verdicts: rule A is always
 * accepted, rule B never, anything else only when it is a small diff under src/.
 */
function reviewerAccepts(proposal: Draft): boolean {
  if (proposal.rule === 'rule-a') return true;
  if (proposal.rule === 'rule-b') return false;
  return proposal.directory === 'src' && proposal.changedLines <= 3;
}

const TOTAL = 300;
const BATCH = 10;
const EVALUATED = 100;

for (const target of databaseTargets()) {
  describe(`acceptance model with a simulated reviewer on ${target}`, () => {
    let t: TestApp;
    let agent: string;
    let reviewer: string;
    const scoresAtReview: number[] = [];
    const labels: (0 | 1)[] = [];

    before(async () => {
      t = await createTestApp(target);
      agent = await t.createKey(['proposals:write', 'proposals:read']);
      reviewer = await t.createKey(['proposals:write', 'proposals:read', 'agents:run']);
    });
    after(() => t.close());

    it(`learns the preference incrementally: AUC ≥ 0.85 on the last ${EVALUATED} of ${TOTAL} verdicts`, async () => {
      const random = seededRandom(42);
      const drafts = new Map<string, Draft>();
      for (let start = 0; start < TOTAL; start += BATCH) {
        // Agents propose a batch; each new proposal is scored when it is stored (once a model exists).
        for (let index = start; index < start + BATCH; index++) {
          const proposal = draft(index, random);
          const created = await t.request({
            method: 'POST',
            url: '/proposals/',
            key: agent,
            payload: proposal.payload,
          });
          assert.equal(created.statusCode, 201, created.body);
          const body = created.json<{ id: string; acceptance_score: number | null }>();
          if (start === 0) assert.equal(body.acceptance_score, null, 'no model before the first verdict');
          else assert.equal(typeof body.acceptance_score, 'number');
          drafts.set(body.id, proposal);
        }
        // The reviewer works through the inbox ranked by the learned score, best first.
        const inbox = await t.request({
          method: 'GET',
          url: '/proposals/?status=pending&sort=-acceptance_score&limit=500',
          key: reviewer,
        });
        assert.equal(inbox.statusCode, 200);
        const listed = inbox.json<{ id: string; acceptance_score: number | null }[]>();
        assert.equal(listed.length, BATCH);
        const scores = listed.map((entry) => entry.acceptance_score);
        if (start > 0) {
          assert.ok(scores.every((score) => typeof score === 'number'));
          assert.deepEqual(
            scores,
            [...scores].sort((a, b) => b - a),
            'sorted by score, best first',
          );
        }
        for (const entry of listed) {
          const accepts = reviewerAccepts(drafts.get(entry.id)!);
          const verdict = await t.request({
            method: 'POST',
            url: `/proposals/${entry.id}/${accepts ? 'accept' : 'reject'}`,
            key: reviewer,
            payload: { reason: accepts ? 'valuable' : 'not_needed' },
          });
          assert.equal(verdict.statusCode, 200, verdict.body);
          if (start >= TOTAL - EVALUATED) {
            // The score the inbox showed: the model had learned from every earlier verdict, not from this one.
            scoresAtReview.push(entry.acceptance_score!);
            labels.push(accepts ? 1 : 0);
          }
        }
      }
      assert.equal(scoresAtReview.length, EVALUATED);
      const area = auc(scoresAtReview, labels)!;
      console.log(`# ${target}: AUC on the last ${EVALUATED} verdicts = ${area.toFixed(4)}`);
      assert.ok(area >= 0.85, `AUC ${area}`);

      // The model was updated once per verdict, and the stored events say what each verdict was.
      const [model] = await t.database.orm.select().from(learningModels);
      assert.equal(model?.trainedOn, TOTAL);
      const events = await t.database.orm
        .select()
        .from(learningEvents)
        .where(eq(learningEvents.kind, 'verdict'))
        .orderBy(asc(learningEvents.id));
      assert.equal(events.length, TOTAL);

      // lvlup reports its quality from the scores the last 100 proposals had when their verdicts came in
      // (a little later than the inbox listing: the batch's earlier verdicts had been learned by then).
      const insights = await t.request({ method: 'GET', url: '/learning/insights', key: reviewer });
      assert.equal(insights.statusCode, 200, insights.body);
      const quality = insights.json().recent_quality;
      assert.equal(quality.method, 'prequential');
      assert.equal(quality.n, EVALUATED);
      assert.equal(quality.accepted, labels.filter((label) => label === 1).length);
      assert.ok(quality.auc >= 0.85, `reported AUC ${quality.auc}`);
      assert.ok(quality.calibration.length > 0);
      assert.ok(
        quality.calibration.every((bucket: { n: number }) => bucket.n > 0) &&
          quality.calibration.reduce((sum: number, bucket: { n: number }) => sum + bucket.n, 0) === EVALUATED,
      );
    });

    it('a full retrain measures itself on held-out recent verdicts and rescores nothing it should not', async () => {
      const response = await t.request({ method: 'POST', url: '/learning/trigger', key: reviewer, payload: {} });
      assert.equal(response.statusCode, 200, response.body);
      const cycle = response.json();
      assert.equal(cycle.model.version, 2);
      assert.equal(cycle.model.trained_on, TOTAL);
      assert.equal(cycle.model.metrics.method, 'holdout');
      assert.equal(cycle.model.metrics.n, TOTAL * 0.2);
      assert.ok(cycle.model.metrics.auc >= 0.85, `holdout AUC ${cycle.model.metrics.auc}`);
      assert.equal(cycle.backfilled_events, 0, 'every verdict was recorded by its hook');
      assert.equal(cycle.rescored_proposals, 0, 'nothing awaits review');
      assert.deepEqual(cycle.agents_recomputed, ['guardian', 'imperium']);

      // Deterministic: the same verdicts and seed give the same weights.
      const again = await t.request({ method: 'POST', url: '/learning/trigger', key: reviewer, payload: { seed: 1 } });
      assert.equal(again.statusCode, 200);
      const models = await t.database.orm.select().from(learningModels).orderBy(asc(learningModels.version));
      assert.deepEqual(models[1]!.weights, models[2]!.weights);
      assert.deepEqual(again.json().model.metrics, cycle.model.metrics);

      const stats = await t.request({ method: 'GET', url: '/learning/stats', key: reviewer });
      assert.equal(stats.statusCode, 200, stats.body);
      assert.equal(stats.json().verdicts, TOTAL);
      assert.equal(stats.json().model.version, 3);
    });
  });
}
