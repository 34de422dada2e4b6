import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import { learningEvents, learningModels } from '../src/db/schema.js';
import { auc } from '../src/learning/evaluation.js';
import type { ProposalFeatures } from '../src/learning/features.js';
import { emptyModel, learn, predict, seededRandom, train, type Example } from '../src/learning/model.js';
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

/**
 * The features lvlup extracts from a draft's proposal: the diff changes its first `changedLines` lines in
 * one hunk; Guardian's security gate scans every file (its secret rules read any text) and finds nothing. The test on a database
 * checks that these are the features the server stores with each verdict.
 */
function featuresOf(proposal: Draft): ProposalFeatures {
  const { payload, changedLines } = proposal;
  const filePath = payload.file_path as string;
  const extension = filePath.slice(filePath.lastIndexOf('.'));
  return {
    agent: payload.ai_type as string,
    rule_id: proposal.rule,
    category: 'maintainability',
    language: { '.ts': 'typescript', '.md': 'markdown', '.yaml': 'yaml' }[extension]!,
    path_pattern: `${proposal.directory}/*${extension}`,
    directory: proposal.directory,
    diff_size: 2 * changedLines,
    additions: changedLines,
    deletions: changedLines,
    hunks: 1,
    confidence: payload.confidence as number,
    test_verdict: null,
    guardian_delta: 0,
    guardian_severity: null,
    guardian_resolved: 0,
    repository_id: null,
  };
}

const BATCH = 10;

interface Replay {
  /** per batch, the scores the inbox showed (the model after the earlier batches) */
  readonly inboxScores: number[][];
  /** per verdict, the score the proposal had when it came (the model after every earlier verdict) */
  readonly verdictScores: number[];
  readonly labels: (0 | 1)[];
  readonly examples: Example[];
}

/**
 * The stream as the server lives it, on the model alone: each batch is scored by the model so far, the
 * reviewer works through it in `order` (best first unless told), and every verdict is one learning step.
 */
function replay(drafts: readonly Draft[], order?: (batch: number) => readonly number[]): Replay {
  const model = emptyModel();
  const result: Replay = { inboxScores: [], verdictScores: [], labels: [], examples: [] };
  for (let start = 0; start < drafts.length; start += BATCH) {
    const batch = drafts.slice(start, start + BATCH);
    const scores = batch.map((proposal) => predict(model, featuresOf(proposal)));
    result.inboxScores.push(scores);
    const positions =
      order?.(start / BATCH) ?? batch.map((_, position) => position).sort((a, b) => scores[b]! - scores[a]!);
    for (const position of positions) {
      const proposal = batch[position]!;
      const example: Example = { features: featuresOf(proposal), label: reviewerAccepts(proposal) ? 1 : 0 };
      result.verdictScores.push(predict(model, example.features));
      result.labels.push(example.label);
      result.examples.push(example);
      learn(model, example);
    }
  }
  return result;
}

const drafts = (total: number) => {
  const random = seededRandom(42);
  return Array.from({ length: total }, (_, index) => draft(index, random));
};

/** The AUC of a retrain measured as the server measures it: trained on all but the newest 20 %. */
function holdoutAuc(examples: readonly Example[]): number {
  const held = Math.floor(examples.length * 0.2);
  const older = train(examples.slice(0, examples.length - held));
  const recent = examples.slice(examples.length - held);
  return auc(
    recent.map((example) => predict(older, example.features)),
    recent.map((example) => example.label),
  )!;
}

describe('the acceptance model learning a simulated reviewer (no database)', () => {
  const TOTAL = 300;
  const EVALUATED = 100;
  const stream = replay(drafts(TOTAL));

  it(`learns the preference incrementally: AUC ≥ 0.85 on the last ${EVALUATED} of ${TOTAL} verdicts`, () => {
    // The score the inbox showed for each of the last batches: learned from every earlier verdict.
    const shown = stream.inboxScores.slice(-EVALUATED / BATCH).flat();
    const labels = drafts(TOTAL)
      .slice(-EVALUATED)
      .map((proposal) => (reviewerAccepts(proposal) ? 1 : 0));
    const area = auc(shown, labels)!;
    assert.ok(area >= 0.85, `AUC ${area}`);
    // Measured on the scores the proposals had at their verdicts (what /learning/insights reports).
    const atVerdict = auc(stream.verdictScores.slice(-EVALUATED), stream.labels.slice(-EVALUATED))!;
    assert.ok(atVerdict >= 0.85, `AUC at the verdicts ${atVerdict}`);
  });

  it('a full retrain measures itself on held-out recent verdicts: AUC ≥ 0.85', () => {
    const area = holdoutAuc(stream.examples);
    assert.ok(area >= 0.85, `holdout AUC ${area}`);
  });
});

// On a database, a shorter stream: the server must store these features, show these scores and learn
// exactly these steps, which the test above shows learn the preference.
const TOTAL = 60;

for (const target of databaseTargets()) {
  describe(`acceptance model with a simulated reviewer on ${target}`, () => {
    let t: TestApp;
    let agent: string;
    let reviewer: string;
    const stream = drafts(TOTAL);
    /** per batch, the positions in the batch in the order the inbox listed them */
    const listedOrder: number[][] = [];

    before(async () => {
      t = await createTestApp(target);
      agent = await t.createKey(['proposals:write', 'proposals:read']);
      reviewer = await t.createKey(['proposals:write', 'proposals:read', 'agents:run']);
    });
    after(() => t.close());

    it(`scores, ranks and learns from each of ${TOTAL} verdicts as the model does`, async () => {
      const shownScores: (number | null)[][] = [];
      for (let start = 0; start < TOTAL; start += BATCH) {
        // Agents propose a batch; each new proposal is scored when it is stored (once a model exists).
        const positionOf = new Map<string, number>();
        for (let index = start; index < start + BATCH; index++) {
          const created = await t.request({
            method: 'POST',
            url: '/proposals/',
            key: agent,
            payload: stream[index]!.payload,
          });
          assert.equal(created.statusCode, 201, created.body);
          const body = created.json<{ id: string; acceptance_score: number | null }>();
          if (start === 0) assert.equal(body.acceptance_score, null, 'no model before the first verdict');
          else assert.equal(typeof body.acceptance_score, 'number');
          positionOf.set(body.id, index - start);
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
        listedOrder.push(listed.map((entry) => positionOf.get(entry.id)!));
        const byPosition: (number | null)[] = [];
        for (const entry of listed) {
          const proposal = stream[start + positionOf.get(entry.id)!]!;
          byPosition[positionOf.get(entry.id)!] = entry.acceptance_score;
          const accepts = reviewerAccepts(proposal);
          const verdict = await t.request({
            method: 'POST',
            url: `/proposals/${entry.id}/${accepts ? 'accept' : 'reject'}`,
            key: reviewer,
            payload: { reason: accepts ? 'valuable' : 'not_needed' },
          });
          assert.equal(verdict.statusCode, 200, verdict.body);
        }
        shownScores.push(byPosition);
      }

      // The same stream on the model alone, in the inbox's order, gives the same scores (stored as reals).
      const expected = replay(stream, (batch) => listedOrder[batch]!);
      const near = (actual: number | null, wanted: number, what: string) =>
        assert.ok(actual !== null && Math.abs(actual - wanted) < 1e-5, `${what}: ${actual} ≠ ${wanted}`);

      // The model was updated once per verdict, and the stored events say what each verdict was, with the
      // features the model learned from and the score the proposal had then.
      const [model] = await t.database.orm.select().from(learningModels);
      assert.equal(model?.trainedOn, TOTAL);
      const events = await t.database.orm
        .select()
        .from(learningEvents)
        .where(eq(learningEvents.kind, 'verdict'))
        .orderBy(asc(learningEvents.id));
      assert.equal(events.length, TOTAL);
      events.forEach((event, index) => {
        assert.deepEqual(event.features, expected.examples[index]!.features, `features of verdict ${index}`);
        assert.equal(event.outcome, expected.labels[index] === 1 ? 'accepted' : 'rejected');
        // The very first verdict came before any model; every later one, after the model learned the ones before.
        if (index === 0) assert.equal(event.predictedScore, null);
        else near(event.predictedScore, expected.verdictScores[index]!, `score at verdict ${index}`);
      });

      // The scores the inbox showed.
      shownScores
        .slice(1)
        .forEach((batch, index) =>
          batch.forEach((score, position) => near(score, expected.inboxScores[index + 1]![position]!, 'inbox')),
        );

      // lvlup reports its quality from the scores the proposals had when their verdicts came in.
      const insights = await t.request({ method: 'GET', url: '/learning/insights', key: reviewer });
      assert.equal(insights.statusCode, 200, insights.body);
      const quality = insights.json().recent_quality;
      assert.equal(quality.method, 'prequential');
      const scored = TOTAL - 1; // the first verdict had no model yet
      assert.equal(quality.n, scored);
      assert.equal(quality.accepted, expected.labels.slice(1).filter((label) => label === 1).length);
      // Reported to four decimals.
      const area = auc(expected.verdictScores.slice(1), expected.labels.slice(1))!;
      assert.equal(quality.auc, Math.round(area * 10_000) / 10_000, 'reported AUC');
      assert.ok(quality.calibration.length > 0);
      assert.ok(
        quality.calibration.every((bucket: { n: number }) => bucket.n > 0) &&
          quality.calibration.reduce((sum: number, bucket: { n: number }) => sum + bucket.n, 0) === scored,
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
      const expected = replay(stream, (batch) => listedOrder[batch]!);
      assert.ok(
        Math.abs(cycle.model.metrics.auc - holdoutAuc(expected.examples)) < 1e-3,
        `holdout AUC ${cycle.model.metrics.auc} ≠ ${holdoutAuc(expected.examples)}`,
      );
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
