import type { ProposalFeatures } from './features.js';

/**
 * The acceptance model: logistic regression over sparse features — one-hot categorical values (agent,
 * rule, category, language, path pattern, directory, repository, rule within the repository, test verdict,
 * Guardian delta, diff-size bucket) and a few scaled numbers (log diff size, log hunks, confidence).
 * Trained by stochastic gradient descent with per-feature AdaGrad step sizes and L2 regularisation:
 * `learn` takes one step for one verdict (the incremental update after each review), `train` fits from
 * scratch over several shuffled epochs (the full retrain). Deterministic: the same events in the same
 * order, and the same seed, give the same weights.
 */
export interface AcceptanceModel {
  readonly format: 1;
  bias: number;
  biasAccumulator: number;
  weights: Record<string, number>;
  /** AdaGrad's sums of squared gradients, per feature */
  accumulators: Record<string, number>;
  readonly learningRate: number;
  readonly l2: number;
}

export interface Example {
  readonly features: ProposalFeatures;
  /** 1 accepted, 0 rejected */
  readonly label: 0 | 1;
}

export const DEFAULT_SETTINGS = { learningRate: 0.3, l2: 0.001 } as const;
export const RETRAIN_EPOCHS = 20;

export function emptyModel(settings: { learningRate: number; l2: number } = DEFAULT_SETTINGS): AcceptanceModel {
  return {
    format: 1,
    bias: 0,
    biasAccumulator: 0,
    weights: {},
    accumulators: {},
    learningRate: settings.learningRate,
    l2: settings.l2,
  };
}

function sizeBucket(size: number): string {
  if (size <= 4) return '<=4';
  if (size <= 16) return '<=16';
  if (size <= 64) return '<=64';
  return '>64';
}

/** The sparse vector of one proposal: feature name → value. */
export function vectorize(features: ProposalFeatures): Map<string, number> {
  const vector = new Map<string, number>();
  const category = (name: string, value: string | null) => vector.set(`${name}=${value ?? '(none)'}`, 1);
  category('agent', features.agent);
  category('rule', features.rule_id);
  category('category', features.category);
  category('language', features.language);
  category('path', features.path_pattern);
  category('dir', features.directory);
  category('repo', features.repository_id);
  if (features.rule_id && features.repository_id)
    category('rule@repo', `${features.rule_id}@${features.repository_id}`);
  category('test', features.test_verdict ?? 'untested');
  category(
    'guardian',
    features.guardian_delta === null ? 'unscanned' : features.guardian_delta === 0 ? '0' : 'introduced',
  );
  category('size', sizeBucket(features.diff_size));
  vector.set('log_size', Math.log1p(features.diff_size) / Math.log1p(256));
  vector.set('log_hunks', Math.log1p(features.hunks) / Math.log1p(16));
  if (features.confidence === null) category('confidence', null);
  else vector.set('confidence', features.confidence);
  return vector;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));

function logit(model: AcceptanceModel, vector: Map<string, number>): number {
  let z = model.bias;
  for (const [name, value] of vector) z += (model.weights[name] ?? 0) * value;
  return z;
}

/** The probability that a reviewer accepts a proposal with these features. */
export function predict(model: AcceptanceModel, features: ProposalFeatures): number {
  return sigmoid(logit(model, vectorize(features)));
}

const EPSILON = 1e-8;

/** One SGD step on one verdict (log loss, L2 on the weights it touches). Mutates and returns the model. */
export function learn(model: AcceptanceModel, example: Example): AcceptanceModel {
  const vector = vectorize(example.features);
  const error = sigmoid(logit(model, vector)) - example.label;
  for (const [name, value] of vector) {
    const weight = model.weights[name] ?? 0;
    const gradient = error * value + model.l2 * weight;
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

/** Fits a fresh model on every example: `epochs` passes, each in a seeded random order. */
export function train(
  examples: readonly Example[],
  options: { seed?: number; epochs?: number; learningRate?: number; l2?: number } = {},
): AcceptanceModel {
  const model = emptyModel({
    learningRate: options.learningRate ?? DEFAULT_SETTINGS.learningRate,
    l2: options.l2 ?? DEFAULT_SETTINGS.l2,
  });
  const random = seededRandom(options.seed ?? 1);
  const order = examples.map((_, index) => index);
  for (let epoch = 0; epoch < (options.epochs ?? RETRAIN_EPOCHS); epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) learn(model, examples[index]!);
  }
  return model;
}

/** Reads a stored model back; anything not of this format (a future one) yields undefined. */
export function parseModel(stored: Record<string, unknown>): AcceptanceModel | undefined {
  if (stored.format !== 1) return undefined;
  return stored as unknown as AcceptanceModel;
}
