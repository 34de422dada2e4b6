/**
 * Gradient-boosted trees of depth two over binary features, for the log loss (Newton steps): each tree
 * asks whether a proposal has one feature and then, on each side, another one — "imperium" and then
 * "more than 13 changed lines" — so a round captures one interaction of two values, which is what a
 * reviewer's taste is made of. Regularised for the few hundred verdicts it usually has: every step is
 * shrunk, leaves hold at least a minimum number of verdicts and their values are pulled towards zero (L2 on
 * the leaf, as in XGBoost), and a split must gain at least a little. Deterministic: no sampling.
 */

/** A node: a leaf's log-odds, or a split on whether the proposal has `feature`. */
export type TreeNode = number | { feature: string; absent: TreeNode; present: TreeNode };

export interface BoostingSettings {
  readonly rounds: number;
  /** the shrinkage of every tree's values */
  readonly shrinkage: number;
  /** L2 on leaf values (added to the leaf's hessian sum) */
  readonly leafL2: number;
  /** the fewest verdicts a leaf may hold */
  readonly minLeaf: number;
  /** the smallest loss reduction a split must bring */
  readonly minGain: number;
}

export const BOOSTING_SETTINGS: BoostingSettings = {
  rounds: 60,
  shrinkage: 0.15,
  leafL2: 2,
  minLeaf: 6,
  minGain: 0.5,
};

export interface BoostingRow {
  /** the ids of the features the verdict's proposal has */
  readonly ids: Int32Array;
  readonly label: 0 | 1;
}

interface Split {
  readonly feature: number;
  readonly gain: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));

/** The best split of these rows (their gradients and hessians given), or undefined when none gains enough. */
function bestSplit(
  rows: readonly BoostingRow[],
  members: readonly number[],
  gradients: Float64Array,
  hessians: Float64Array,
  featureCount: number,
  settings: BoostingSettings,
  sums: { gradient: Float64Array; hessian: Float64Array; count: Int32Array },
): Split | undefined {
  sums.gradient.fill(0);
  sums.hessian.fill(0);
  sums.count.fill(0);
  let gradientTotal = 0;
  let hessianTotal = 0;
  for (const member of members) {
    const gradient = gradients[member]!;
    const hessian = hessians[member]!;
    gradientTotal += gradient;
    hessianTotal += hessian;
    for (const id of rows[member]!.ids) {
      sums.gradient[id]! += gradient;
      sums.hessian[id]! += hessian;
      sums.count[id]! += 1;
    }
  }
  const { leafL2, minLeaf } = settings;
  const parent = (gradientTotal * gradientTotal) / (hessianTotal + leafL2);
  let best: Split | undefined;
  for (let feature = 0; feature < featureCount; feature++) {
    const present = sums.count[feature]!;
    if (present < minLeaf || members.length - present < minLeaf) continue;
    const gradientPresent = sums.gradient[feature]!;
    const hessianPresent = sums.hessian[feature]!;
    const gradientAbsent = gradientTotal - gradientPresent;
    const hessianAbsent = hessianTotal - hessianPresent;
    const gain =
      (gradientPresent * gradientPresent) / (hessianPresent + leafL2) +
      (gradientAbsent * gradientAbsent) / (hessianAbsent + leafL2) -
      parent;
    if (gain > settings.minGain && (best === undefined || gain > best.gain)) best = { feature, gain };
  }
  return best;
}

function leafValue(
  members: readonly number[],
  gradients: Float64Array,
  hessians: Float64Array,
  settings: BoostingSettings,
) {
  let gradient = 0;
  let hessian = 0;
  for (const member of members) {
    gradient += gradients[member]!;
    hessian += hessians[member]!;
  }
  return (-settings.shrinkage * gradient) / (hessian + settings.leafL2);
}

function partition(rows: readonly BoostingRow[], members: readonly number[], feature: number) {
  const absent: number[] = [];
  const present: number[] = [];
  for (const member of members) (rows[member]!.ids.includes(feature) ? present : absent).push(member);
  return { absent, present };
}

/**
 * Fits `settings.rounds` trees of depth two on top of each row's `base` log-odds (the prior and whatever
 * the trees add to). Answers the trees with the feature names (`names[id]`).
 */
export function boost(
  rows: readonly BoostingRow[],
  base: Float64Array,
  names: readonly string[],
  settings: BoostingSettings = BOOSTING_SETTINGS,
): TreeNode[] {
  const featureCount = names.length;
  const margins = Float64Array.from(base);
  const gradients = new Float64Array(rows.length);
  const hessians = new Float64Array(rows.length);
  const sums = {
    gradient: new Float64Array(featureCount),
    hessian: new Float64Array(featureCount),
    count: new Int32Array(featureCount),
  };
  const everyone = rows.map((_, index) => index);
  const trees: TreeNode[] = [];
  type Fitted = number | { feature: number; absent: Fitted; present: Fitted };
  const grow = (members: number[], depth: number): Fitted => {
    const split = depth < 2 ? bestSplit(rows, members, gradients, hessians, featureCount, settings, sums) : undefined;
    if (!split) return leafValue(members, gradients, hessians, settings);
    const { absent, present } = partition(rows, members, split.feature);
    return { feature: split.feature, absent: grow(absent, depth + 1), present: grow(present, depth + 1) };
  };
  const evaluate = (node: Fitted, ids: Int32Array): number =>
    typeof node === 'number' ? node : evaluate(ids.includes(node.feature) ? node.present : node.absent, ids);
  const named = (node: Fitted): TreeNode =>
    typeof node === 'number'
      ? node
      : { feature: names[node.feature]!, absent: named(node.absent), present: named(node.present) };
  for (let round = 0; round < settings.rounds; round++) {
    for (let index = 0; index < rows.length; index++) {
      const probability = sigmoid(margins[index]!);
      gradients[index] = probability - rows[index]!.label;
      hessians[index] = Math.max(probability * (1 - probability), 1e-6);
    }
    const tree = grow(everyone, 0);
    if (typeof tree === 'number' && Math.abs(tree) < 1e-9) break;
    for (let index = 0; index < rows.length; index++) margins[index]! += evaluate(tree, rows[index]!.ids);
    trees.push(named(tree));
  }
  return trees;
}

/** The log-odds the trees add for a proposal with these features. */
export function treesLogOdds(trees: readonly TreeNode[], features: ReadonlySet<string>): number {
  let sum = 0;
  for (const tree of trees) {
    let node = tree;
    while (typeof node !== 'number') node = features.has(node.feature) ? node.present : node.absent;
    sum += node;
  }
  return sum;
}
