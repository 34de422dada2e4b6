import {
  boost,
  treesLogOdds,
  type BoostingRow,
  type BoostingSettings,
  type TreeColumns,
  type TreeNode,
} from './boosting.js';
import type { ProposalFeatures } from './proposal-features.js';
import { describeFeatures, featureNames, PRIOR_LOG_ODDS, priorOf, treeColumns } from './model-features.js';

/**
 * The acceptance model: logistic regression over sparse binary features — each value of the proposal's
 * own features and their crossings, which is where a reviewer's taste lives (this agent only for small
 * changes, that rule only in that directory, security fixes only above some confidence). Trained by
 * stochastic gradient descent on the log loss with per-feature AdaGrad steps and L2 regularisation:
 * `learn` takes one step for one verdict (the incremental update after each review), `train` fits from
 * scratch over several shuffled epochs (the full retrain). Deterministic: the same events in the same
 * order, and the same seed, give the same weights.
 *
 * Next to it, boosted trees of depth five over the proposal's values and numbers (`boosting.ts`), fitted
 * by every full retrain, find the interactions the crossings do not name — at the thresholds the verdicts
 * show, not those of a fixed scale — and need few verdicts to do so. The score averages the two models'
 * log-odds; a model without trees yet (before its first retrain) is the logistic one alone.
 *
 * On top of the learnt weights sits a fixed prior: a regression in the tests and a newly introduced high
 * or critical finding lower the log-odds strongly, a proven pass raises them a little, so such proposals
 * rank low from the very first verdict on. The learnt weights of the same values can still move them
 * once verdicts say otherwise.
 */
export interface AcceptanceModel {
  /** 4: trees over columns (3 had depth-two trees over binary features) */
  readonly format: 4;
  bias: number;
  biasAccumulator: number;
  weights: Record<string, number>;
  /** AdaGrad's sums of squared gradients, per feature */
  accumulators: Record<string, number>;
  readonly learningRate: number;
  readonly l2: number;
  /** boosted trees over the proposal's columns, fitted by the full retrain (`train`); `learn` leaves them */
  trees: TreeNode[];
  /** the event id of the newest verdict a refit (or full retrain) was fitted on; absent after none */
  refitThrough?: number;
}

export interface Example {
  readonly features: ProposalFeatures;
  /** 1 accepted, 0 rejected */
  readonly label: 0 | 1;
}

export const DEFAULT_SETTINGS = { learningRate: 0.02, l2: 0.001 } as const;
export const RETRAIN_EPOCHS = 8;

export function emptyModel(settings: { learningRate: number; l2: number } = DEFAULT_SETTINGS): AcceptanceModel {
  return {
    format: 4,
    bias: 0,
    biasAccumulator: 0,
    weights: {},
    accumulators: {},
    learningRate: settings.learningRate,
    l2: settings.l2,
    trees: [],
  };
}

/** The share of the logistic model's log-odds in the score once trees exist (the trees have the rest). */
export const LOGISTIC_SHARE = 0.5;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));

function logit(model: AcceptanceModel, names: readonly string[], columns: TreeColumns): number {
  let learnt = model.bias;
  for (const name of names) learnt += model.weights[name] ?? 0;
  if (model.trees.length === 0) return priorOf(names) + learnt;
  return priorOf(names) + LOGISTIC_SHARE * learnt + (1 - LOGISTIC_SHARE) * treesLogOdds(model.trees, columns);
}

/** The probability that a reviewer accepts a proposal with these features. */
export function predict(model: AcceptanceModel, features: ProposalFeatures): number {
  return sigmoid(logit(model, featureNames(features), treeColumns(features)));
}

const EPSILON = 1e-8;

/** One SGD step on one verdict (log loss, L2 on the weights it touches). Mutates and returns the model. */
export function learn(model: AcceptanceModel, example: Example): AcceptanceModel {
  const names = featureNames(example.features);
  const error = sigmoid(logit(model, names, treeColumns(example.features))) - example.label;
  for (const name of names) {
    const weight = model.weights[name] ?? 0;
    const gradient = error + model.l2 * weight;
    const accumulator = (model.accumulators[name] ?? 0) + gradient * gradient;
    model.accumulators[name] = accumulator;
    model.weights[name] = weight - (model.learningRate / (Math.sqrt(accumulator) + EPSILON)) * gradient;
  }
  model.biasAccumulator += error * error;
  model.bias -= (model.learningRate / (Math.sqrt(model.biasAccumulator) + EPSILON)) * error;
  return model;
}

/** A small seeded generator (mulberry32): the retrain's shuffles are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every feature id is below this, so a crossing's key, `first * SPAN + second`, is a safe integer. */
const SPAN = 2 ** 24;

/**
 * Numbers the binary features of every example (`describeFeatures`): each distinct single value once
 * per kind, each crossing by the numbers of its two values, so no verdict's feature names are built — a
 * name is built once per distinct feature, at the end. Answers each example's feature ids and prior, and
 * the names by id.
 */
function numberFeatures(examples: readonly Example[]) {
  const singles = new Map<string, Map<string, number>>();
  const crossings = new Map<number, number>();
  const names: string[] = [];
  /** per feature id of a single value: its prior; a crossing has none */
  const priors: number[] = [];
  /** per feature id of a crossing: the ids of its two values */
  const crossed: [number, number][] = [];
  const rows = examples.map((example) => {
    const { kinds, values, pairs } = describeFeatures(example.features);
    const ids = new Int32Array(kinds.length + pairs.length / 2);
    let prior = 0;
    kinds.forEach((kind, position) => {
      let byValue = singles.get(kind);
      if (!byValue) singles.set(kind, (byValue = new Map<string, number>()));
      let id = byValue.get(values[position]!);
      if (id === undefined) {
        id = names.length;
        if (id >= SPAN) throw new RangeError(`too many features to number: ${id}`);
        const name = kind + values[position]!;
        names.push(name);
        priors.push(PRIOR_LOG_ODDS[name] ?? 0);
        byValue.set(values[position]!, id);
      }
      ids[position] = id;
      prior += priors[id]!;
    });
    for (let pair = 0; pair < pairs.length; pair += 2) {
      const first = ids[pairs[pair]!]!;
      const second = ids[pairs[pair + 1]!]!;
      const key = first * SPAN + second;
      let id = crossings.get(key);
      if (id === undefined) {
        id = names.length;
        names.push('');
        priors.push(0);
        crossed[id] = [first, second];
        crossings.set(key, id);
      }
      ids[kinds.length + pair / 2] = id;
    }
    return { ids, prior, label: example.label };
  });
  crossed.forEach(([first, second], id) => (names[id] = `${names[first]!}×${names[second]!}`));
  return { rows, names };
}

/**
 * Fits a fresh model on every example: `epochs` passes, each in a seeded random order. The same steps as
 * `learn`, on numbered features in typed arrays (`numberFeatures`), so a retrain over 10,000 verdicts
 * takes a fraction of a second. Then the boosted trees, on top of the prior alone (the
 * two models are averaged, not stacked); `trees: false` leaves them out.
 */
export function train(
  examples: readonly Example[],
  options: {
    seed?: number;
    epochs?: number;
    learningRate?: number;
    l2?: number;
    trees?: boolean;
    boosting?: BoostingSettings;
  } = {},
): AcceptanceModel {
  const model = emptyModel({
    learningRate: options.learningRate ?? DEFAULT_SETTINGS.learningRate,
    l2: options.l2 ?? DEFAULT_SETTINGS.l2,
  });
  const { rows, names } = numberFeatures(examples);
  const weights = new Float64Array(names.length);
  const accumulators = new Float64Array(names.length);
  const { learningRate, l2 } = model;
  let bias = 0;
  let biasAccumulator = 0;
  const random = seededRandom(options.seed ?? 1);
  const order = rows.map((_, position) => position);
  for (let epoch = 0; epoch < (options.epochs ?? RETRAIN_EPOCHS); epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const position of order) {
      const row = rows[position]!;
      let z = bias + row.prior;
      for (const id of row.ids) z += weights[id]!;
      const error = sigmoid(z) - row.label;
      for (const id of row.ids) {
        const gradient = error + l2 * weights[id]!;
        accumulators[id]! += gradient * gradient;
        weights[id]! -= (learningRate / (Math.sqrt(accumulators[id]!) + EPSILON)) * gradient;
      }
      biasAccumulator += error * error;
      bias -= (learningRate / (Math.sqrt(biasAccumulator) + EPSILON)) * error;
    }
  }
  model.bias = bias;
  model.biasAccumulator = biasAccumulator;
  names.forEach((name, id) => {
    model.weights[name] = weights[id]!;
    model.accumulators[name] = accumulators[id]!;
  });
  if (options.trees !== false) {
    const boostingRows: BoostingRow[] = examples.map((example) => ({
      columns: treeColumns(example.features),
      label: example.label,
    }));
    model.trees = boost(
      boostingRows,
      Float64Array.from(rows, (row) => row.prior),
      options.boosting,
    );
  }
  return model;
}

/** Reads a stored model back; a model of another format (an older one, or a future one) yields undefined. */
export function parseModel(stored: Record<string, unknown>): AcceptanceModel | undefined {
  if (stored.format !== 4) return undefined;
  return stored as unknown as AcceptanceModel;
}
