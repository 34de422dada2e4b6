import { auc } from '../src/learning/evaluation.js';
import { featureNames, priorOf, train, predict } from '../src/learning/model.js';
import { boost, treesLogOdds, BOOSTING_SETTINGS, type BoostingSettings } from '../src/learning/boosting.js';
import { review, SIMULATED_REVIEWERS } from './acceptance-reviewers.js';

const seeds = (process.env.SEEDS ?? '1,2,3,4').split(',').map(Number);
const variant = process.argv[2] ?? 'boost';
const settings: BoostingSettings = { ...BOOSTING_SETTINGS, ...JSON.parse(process.env.SET ?? '{}') };
const baseOnly = process.env.ALL !== '1';
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function scoresOf(stream: ReturnType<typeof review>): number[] {
  const names = stream.map((s) => featureNames(s.features));
  const priors = names.map((n) => priorOf(n));
  const index = new Map<string, number>();
  const ids = names.map((n) => Int32Array.from(n.filter((x) => x !== 'bias' && (!baseOnly || !x.includes('×'))).map((x) => { let id = index.get(x); if (id === undefined) { id = index.size; index.set(x, id); } return id; })));
  const featureList = [...index.keys()];
  const out: number[] = [];
  for (let t = 0; t < stream.length; t++) {
    if (t < 200) { out.push(0); continue; }
    const examples = stream.slice(0, t).map((s) => ({ features: s.features, label: s.label }));
    const rows = ids.slice(0, t).map((i, k) => ({ ids: i, label: stream[k]!.label }));
    let z = priors[t]!;
    if (variant === 'lr') { out.push(t ? predict(train(examples), stream[t]!.features) : 0.5); continue; }
    let base = Float64Array.from(priors.slice(0, t));
    let lrz = 0;
    if (variant === 'stack' || variant === 'blend') {
      const m = train(examples);
      const lz = (f: typeof stream[0]['features']) => { const p = predict(m, f); return Math.log(p / (1 - p)); };
      if (variant === 'stack') base = Float64Array.from(stream.slice(0, t).map((s) => lz(s.features)));
      lrz = lz(stream[t]!.features);
      if (variant === 'stack') z = lrz;
    }
    const trees = boost(rows, base, featureList, settings);
    const set = new Set(names[t]);
    const bz = z + treesLogOdds(trees, set);
    out.push(variant === 'blend' ? sigmoid(0.5 * bz + 0.5 * lrz) : sigmoid(bz));
  }
  return out;
}
const only = process.env.ONLY ? process.env.ONLY.split(',').map(Number) : SIMULATED_REVIEWERS.map((_, i) => i);
for (const i of only) {
  const r = SIMULATED_REVIEWERS[i]!;
  const values = seeds.map((seed) => {
    const stream = review(r, { count: 400, seed, noise: 0.1 });
    const s = scoresOf(stream);
    return auc(s.slice(200), stream.slice(200).map((e) => e.label))!;
  });
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`${r.name.padEnd(28)} ${mean.toFixed(3)} worst ${Math.min(...values).toFixed(3)}`);
}
