import { boost, treesLogOdds, type BoostingRow, type TreeNode } from './boosting.js';
import type { ProposalFeatures } from './features.js';

/**
 * The acceptance model: logistic regression over sparse binary features — each value of the proposal's
 * own features and their crossings, which is where a reviewer's taste lives (this agent only for small
 * changes, that rule only in that directory, security fixes only above some confidence). Trained by
 * stochastic gradient descent on the log loss with per-feature AdaGrad steps and L2 regularisation:
 * `learn` takes one step for one verdict (the incremental update after each review), `train` fits from
 * scratch over several shuffled epochs (the full retrain). Deterministic: the same events in the same
 * order, and the same seed, give the same weights.
 *
 * Next to it, boosted trees of depth two over the single values (`boosting.ts`), fitted by every full
 * retrain, find the interactions the crossings do not name and need few verdicts to do so. The score
 * averages the two models' log-odds; a model without trees yet (before its first retrain) is the logistic
 * one alone.
 *
 * On top of the learnt weights sits a fixed prior: a regression in the tests and a newly introduced high
 * or critical finding lower the log-odds strongly, a proven pass raises them a little, so such proposals
 * rank low from the very first verdict on. The learnt weights of the same values can still move them
 * once verdicts say otherwise.
 */
export interface AcceptanceModel {
  readonly format: 3;
  bias: number;
  biasAccumulator: number;
  weights: Record<string, number>;
  /** AdaGrad's sums of squared gradients, per feature */
  accumulators: Record<string, number>;
  readonly learningRate: number;
  readonly l2: number;
  /** boosted trees over the single values, fitted by the full retrain (`train`); `learn` leaves them */
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

/** The prior, in log-odds, of what a proposal's tests and Guardian's gate say: holds before any verdict. */
export const PRIOR_LOG_ODDS: Readonly<Record<string, number>> = {
  'test=regression': -4,
  'test=error': -0.7,
  'test=still-failing': -0.4,
  'test=passed': 0.3,
  'test=fixed': 0.4,
  'security=critical': -4.5,
  'security=high': -4,
  'security=medium': -0.5,
};

export function emptyModel(settings: { learningRate: number; l2: number } = DEFAULT_SETTINGS): AcceptanceModel {
  return {
    format: 3,
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

const SIZE_LIMITS = [2, 4, 8, 13, 20, 32, 50, 80, 130];
const HUNK_LIMITS = [1, 2, 4];
const CONFIDENCE_FLOORS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/** Cumulative thresholds (size ≤ 2, ≤ 4, …): a step anywhere along the scale is a sum of these. */
const atMost = (value: number, limits: readonly number[]) =>
  limits.filter((limit) => value <= limit).map((l) => `<=${l}`);
const atLeast = (value: number | null, floors: readonly number[]) =>
  value === null ? ['none'] : floors.filter((floor) => value >= floor).map((f) => `>=${f}`);

function testOutcome(features: ProposalFeatures): string {
  return features.test_verdict ?? 'untested';
}

function security(features: ProposalFeatures): string {
  if (features.guardian_delta === null || features.guardian_delta === undefined) return 'unscanned';
  if (features.guardian_delta === 0) return 'clean';
  // events stored before severities were kept: an introduced finding of unknown severity
  return features.guardian_severity ?? 'introduced';
}

function shape(features: ProposalFeatures): string {
  if (features.deletions > features.additions) return 'removes';
  return features.additions > features.deletions ? 'adds' : 'balanced';
}

/**
 * The binary features of one proposal. Single values: agent, rule, category, language, path pattern,
 * directory, repository, rule within the repository, test outcome, security (highest new severity),
 * resolved findings, shape (more removed or added), size, hunk and confidence thresholds. Crossings: the
 * agent and the category each with size, confidence, directory, test outcome and shape; the rule with
 * the agent, directory, size and confidence; the repository with the agent, directory and test outcome.
 */
export function featureNames(features: ProposalFeatures): string[] {
  const names: string[] = [];
  const agent = features.agent;
  const rule = features.rule_id ?? '(none)';
  const category = features.category ?? '(none)';
  const repository = features.repository_id ?? '(none)';
  const directory = features.directory;
  const test = testOutcome(features);
  const form = shape(features);
  const sizes = atMost(features.diff_size, SIZE_LIMITS);
  const hunks = atMost(features.hunks, HUNK_LIMITS);
  const confidences = atLeast(features.confidence, CONFIDENCE_FLOORS);
  const resolved = (features.guardian_resolved ?? 0) > 0 ? 'some' : 'none';

  names.push(
    'bias',
    `agent=${agent}`,
    `rule=${rule}`,
    `category=${category}`,
    `language=${features.language}`,
    `path=${features.path_pattern}`,
    `dir=${directory}`,
    `repo=${repository}`,
    `rule@repo=${rule}@${repository}`,
    `test=${test}`,
    `security=${security(features)}`,
    `resolved=${resolved}`,
    `shape=${form}`,
  );
  for (const size of sizes) names.push(`size${size}`);
  for (const hunk of hunks) names.push(`hunks${hunk}`);
  for (const confidence of confidences) names.push(`confidence${confidence}`);

  for (const [name, value] of [
    ['agent', agent],
    ['category', category],
  ] as const) {
    for (const size of sizes) names.push(`${name}=${value}×size${size}`);
    for (const hunk of hunks) names.push(`${name}=${value}×hunks${hunk}`);
    for (const confidence of confidences) names.push(`${name}=${value}×confidence${confidence}`);
    names.push(`${name}=${value}×dir=${directory}`, `${name}=${value}×test=${test}`, `${name}=${value}×shape=${form}`);
    names.push(`${name}=${value}×resolved=${resolved}`);
  }
  names.push(`rule=${rule}×agent=${agent}`, `rule=${rule}×dir=${directory}`, `rule=${rule}×shape=${form}`);
  for (const size of sizes) names.push(`rule=${rule}×size${size}`);
  for (const confidence of confidences) names.push(`rule=${rule}×confidence${confidence}`);
  names.push(
    `repo=${repository}×agent=${agent}`,
    `repo=${repository}×dir=${directory}`,
    `repo=${repository}×test=${test}`,
  );
  names.push(`repo=${repository}×category=${category}`);
  return names;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));

/** The prior's log-odds for these feature names. */
export function priorOf(names: readonly string[]): number {
  let prior = 0;
  for (const name of names) prior += PRIOR_LOG_ODDS[name] ?? 0;
  return prior;
}

/** Single values and thresholds, the features the trees split on; crossings hold a `×`. */
const isSingle = (name: string) => name !== 'bias' && !name.includes('×');

function logit(model: AcceptanceModel, names: readonly string[]): number {
  let learnt = model.bias;
  for (const name of names) learnt += model.weights[name] ?? 0;
  if (model.trees.length === 0) return priorOf(names) + learnt;
  return priorOf(names) + LOGISTIC_SHARE * learnt + (1 - LOGISTIC_SHARE) * treesLogOdds(model.trees, new Set(names));
}

/** The probability that a reviewer accepts a proposal with these features. */
export function predict(model: AcceptanceModel, features: ProposalFeatures): number {
  return sigmoid(logit(model, featureNames(features)));
}

const EPSILON = 1e-8;

/** One SGD step on one verdict (log loss, L2 on the weights it touches). Mutates and returns the model. */
export function learn(model: AcceptanceModel, example: Example): AcceptanceModel {
  const names = featureNames(example.features);
  const error = sigmoid(logit(model, names)) - example.label;
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

/**
 * Fits a fresh model on every example: `epochs` passes, each in a seeded random order. The same steps as
 * `learn`, on numbered features in typed arrays (each example's names are built once), so a retrain
 * over 10,000 verdicts stays well under a second. Then the boosted trees, on top of the prior alone (the
 * two models are averaged, not stacked); `trees: false` leaves them out.
 */
export function train(
  examples: readonly Example[],
  options: { seed?: number; epochs?: number; learningRate?: number; l2?: number; trees?: boolean } = {},
): AcceptanceModel {
  const model = emptyModel({
    learningRate: options.learningRate ?? DEFAULT_SETTINGS.learningRate,
    l2: options.l2 ?? DEFAULT_SETTINGS.l2,
  });
  const index = new Map<string, number>();
  const singles = new Map<string, number>();
  const boostingRows: BoostingRow[] = [];
  const rows = examples.map((example) => {
    const names = featureNames(example.features);
    const singleIds: number[] = [];
    for (const name of names) {
      if (!isSingle(name)) continue;
      let id = singles.get(name);
      if (id === undefined) {
        id = singles.size;
        singles.set(name, id);
      }
      singleIds.push(id);
    }
    boostingRows.push({ ids: Int32Array.from(singleIds), label: example.label });
    const ids = new Int32Array(names.length);
    names.forEach((name, position) => {
      let id = index.get(name);
      if (id === undefined) {
        id = index.size;
        index.set(name, id);
      }
      ids[position] = id;
    });
    return { ids, prior: priorOf(names), label: example.label };
  });
  const weights = new Float64Array(index.size);
  const accumulators = new Float64Array(index.size);
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
  for (const [name, id] of index) {
    model.weights[name] = weights[id]!;
    model.accumulators[name] = accumulators[id]!;
  }
  if (options.trees !== false) {
    const priors = Float64Array.from(rows, (row) => row.prior);
    model.trees = boost(boostingRows, priors, [...singles.keys()]);
  }
  return model;
}

/** Reads a stored model back; a model of another format (an older one, or a future one) yields undefined. */
export function parseModel(stored: Record<string, unknown>): AcceptanceModel | undefined {
  if (stored.format !== 3) return undefined;
  return stored as unknown as AcceptanceModel;
}
