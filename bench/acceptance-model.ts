// `npm run bench -- acceptance-model`: how well the acceptance model learns a reviewer's taste. Simulated
// reviewers (bench/acceptance-reviewers.ts) with hidden, interaction-made tastes review 400 proposals,
// 10 % of their verdicts flipped; every proposal is scored before its verdict (prequential), and the AUC
// of those scores on the last 200 is compared with the exact-taste ceiling (the reviewer's true
// probability) and a per-(agent, rule) acceptance counter. The model is refitted from every verdict after
// each one, as lvlup does after a verdict commits. Then the time of a full retrain over 10,000
// verdicts (on this thread, and as a refit runs it: on a compute pool's worker thread, with what that
// costs the event loop) and of scoring one proposal.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createComputePool } from '../src/compute/compute-pool.js';
import type { Compute } from '../src/compute/compute.js';
import { auc } from '../src/learning/evaluation.js';
import { emptyModel, learn, predict, train, type Example } from '../src/analysis/acceptance/model.js';
import { review, SIMULATED_REVIEWERS, type ReviewedProposal, type SimulatedReviewer } from './acceptance-reviewers.js';
import { writeResult } from './support.js';

const PROPOSALS = 400;
const EVALUATED = 200;
const NOISE = 0.1;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const GOAL = 0.82;

/** A per-(agent, rule) acceptance rate, Laplace-smoothed: the baseline a model must beat. */
function counterScores(stream: readonly ReviewedProposal[]): number[] {
  const counts = new Map<string, { accepted: number; total: number }>();
  return stream.map(({ features, label }) => {
    const key = `${features.agent}\u0000${features.rule_id}`;
    const count = counts.get(key) ?? { accepted: 0, total: 0 };
    const score = (count.accepted + 1) / (count.total + 2);
    counts.set(key, { accepted: count.accepted + label, total: count.total + 1 });
    return score;
  });
}

/**
 * The model's score of each proposal before its verdict, learning each verdict as lvlup does: one
 * incremental step in the verdict's transaction, then the refit from every verdict that runs after it
 * (before the next proposal is scored). A refit does not depend on the models before it, so the
 * proposals before `from` (not evaluated) skip it: their scores are those of the incremental steps.
 */
function modelScores(stream: readonly ReviewedProposal[], from = 0): number[] {
  let model = emptyModel();
  const seen: Example[] = [];
  return stream.map(({ features, label }, position) => {
    const score = predict(model, features);
    learn(model, { features, label });
    seen.push({ features, label });
    if (position + 1 >= from) model = train(seen);
    return score;
  });
}

export interface ReviewerResult {
  reviewer: string;
  accepted_share: number;
  model: number;
  ceiling: number;
  counter: number;
}

/** The AUCs on the last `evaluated` of `count` verdicts of one reviewer for one seed. */
export function prequentialAuc(
  reviewer: SimulatedReviewer,
  options: { seed: number; count?: number; evaluated?: number; noise?: number },
): ReviewerResult {
  const count = options.count ?? PROPOSALS;
  const evaluated = options.evaluated ?? EVALUATED;
  const stream = review(reviewer, { count, seed: options.seed, noise: options.noise ?? NOISE });
  const labels = stream.slice(count - evaluated).map((entry) => entry.label);
  const last = (scores: number[]) => auc(scores.slice(count - evaluated), labels) ?? NaN;
  return {
    reviewer: reviewer.name,
    accepted_share: stream.reduce((sum, entry) => sum + entry.label, 0) / count,
    model: last(modelScores(stream, count - evaluated)),
    ceiling: last(stream.map((entry) => entry.truth)),
    counter: last(counterScores(stream)),
  };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * A full retrain over `verdicts` verdicts of one reviewer: wall time, and the CPU time of this process,
 * which a machine shared with other work inflates less. Then the same fit as a refit runs it, on a
 * worker thread of the compute pool: its wall time, and the event loop's busy time meanwhile (handing
 * the verdicts over and taking the model back). Then the time to score one proposal.
 */
async function timeRetrain(
  reviewer: SimulatedReviewer,
  verdicts: number,
  compute: Compute,
): Promise<{ retrain_ms: number; retrain_cpu_ms: number; pool_ms: number; event_loop_ms: number; score_us: number }> {
  const stream = review(reviewer, { count: verdicts, seed: 99, noise: NOISE });
  const examples: Example[] = stream.map(({ features, label }) => ({ features, label }));
  train(examples.slice(0, 500)); // warm-up
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const model = train(examples);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpuBefore);
  await compute.fitAcceptanceModel(examples.slice(0, 500)); // warm-up
  const loopBefore = performance.eventLoopUtilization();
  const poolStarted = performance.now();
  await compute.fitAcceptanceModel(examples);
  const poolWall = performance.now() - poolStarted;
  const loop = performance.eventLoopUtilization(loopBefore);
  const scoringStarted = performance.now();
  for (const { features } of stream) predict(model, features);
  const scoring = ((performance.now() - scoringStarted) * 1000) / stream.length;
  return {
    retrain_ms: Math.round(wall),
    retrain_cpu_ms: Math.round((used.user + used.system) / 1000),
    pool_ms: Math.round(poolWall),
    event_loop_ms: Math.round(loop.active),
    score_us: round(scoring),
  };
}

export async function benchAcceptanceModel() {
  const compute = createComputePool({
    size: 1,
    maxQueue: 0,
    taskTimeoutMs: 60_000,
    onError: (error) => console.error(error),
  });
  const rows = [];
  for (const reviewer of SIMULATED_REVIEWERS) {
    const results = SEEDS.map((seed) => prequentialAuc(reviewer, { seed }));
    rows.push({
      reviewer: reviewer.name,
      taste: reviewer.description,
      accepted_share: round(mean(results.map((result) => result.accepted_share))),
      model: round(mean(results.map((result) => result.model))),
      ceiling: round(mean(results.map((result) => result.ceiling))),
      counter: round(mean(results.map((result) => result.counter))),
      model_min: round(Math.min(...results.map((result) => result.model))),
      ...(await timeRetrain(reviewer, 10_000, compute)),
    });
  }
  await compute.close();
  console.log(
    `\nAcceptance model: prequential AUC on the last ${EVALUATED} of ${PROPOSALS} verdicts, ${NOISE * 100} % flipped, mean of ${SEEDS.length} seeds; retrain over 10,000 verdicts of the reviewer (wall, CPU), and on a pool thread (wall; the event loop's busy time meanwhile)`,
  );
  console.table(
    rows.map((row) => ({
      reviewer: row.reviewer,
      accepted: row.accepted_share,
      model: row.model,
      'model (worst seed)': row.model_min,
      'exact taste': row.ceiling,
      'counter (agent, rule)': row.counter,
      'retrain 10k (ms)': `${row.retrain_ms} (${row.retrain_cpu_ms} CPU)`,
      'on the pool (ms)': `${row.pool_ms} (loop ${row.event_loop_ms})`,
    })),
  );
  const scoring = mean(rows.map((row) => row.score_us));
  console.log(
    `scoring one proposal: ${round(scoring)} µs; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`,
  );
  console.log(`goal: model ≥ ${GOAL} on every reviewer (where the exact taste allows it); retrain < 1000 ms`);
  const file = writeResult('acceptance-model', {
    proposals: PROPOSALS,
    evaluated: EVALUATED,
    noise: NOISE,
    seeds: SEEDS,
    reviewers: rows,
    load_average: os.loadavg()[0],
    score_one_us: round(scoring),
  });
  console.log(`written to ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchAcceptanceModel();
