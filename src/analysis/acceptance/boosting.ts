/**
 * Gradient-boosted trees over a proposal's columns, for the log loss (Newton steps). A column is either
 * categorical (the agent, the rule, the directory…: a split asks whether the proposal has one value) or
 * numeric (the changed lines, the confidence…: a split asks whether it is at most some value, at any of the
 * values seen). A tree joins up to `depth` such answers — imperium? then at most 9 lines? then in src/? —
 * so one round captures an interaction, whichever values it joins, and a threshold where the reviewer
 * has it rather than where a fixed scale has one.
 *
 * Histogram-based, as LightGBM and XGBoost's `hist` do: every verdict's columns are turned into bins once
 * (numeric ones at up to `maxBins` quantiles of the values seen), and a node's best split is found from
 * per-bin sums of gradients and hessians, one pass over its verdicts — over the smaller child's only, the
 * larger child's sums being its parent's minus those. Regularised for the few hundred
 * verdicts it usually has: every step is shrunk, leaves hold at least a minimum number of verdicts and
 * their values are pulled towards zero (L2 on the leaf), and a split must gain at least a little.
 * Deterministic: no sampling.
 */

/** One proposal as the trees see it: a string is a categorical value, a number a numeric one. */
export type TreeColumns = Readonly<Record<string, string | number>>;

/** A node: a leaf's log-odds, or a split on one column. */
export type TreeNode =
  | number
  | { readonly column: string; readonly equals: string; readonly yes: TreeNode; readonly no: TreeNode }
  | { readonly column: string; readonly atMost: number; readonly yes: TreeNode; readonly no: TreeNode };

export interface BoostingSettings {
  readonly rounds: number;
  /** the deepest a tree grows (a split per level) */
  readonly depth: number;
  /** the shrinkage of every tree's values */
  readonly shrinkage: number;
  /** L2 on leaf values (added to the leaf's hessian sum) */
  readonly leafL2: number;
  /** the fewest verdicts a leaf may hold */
  readonly minLeaf: number;
  /** the smallest loss reduction a split must bring */
  readonly minGain: number;
  /** the most bins a numeric column is cut into */
  readonly maxBins: number;
}

export const BOOSTING_SETTINGS: BoostingSettings = {
  rounds: 40,
  depth: 5,
  shrinkage: 0.25,
  leafL2: 2,
  minLeaf: 6,
  minGain: 0.5,
  maxBins: 32,
};

export interface BoostingRow {
  readonly columns: TreeColumns;
  readonly label: 0 | 1;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));

/** A column's bins: its values (categorical) or the upper bounds of its ranges (numeric, ascending). */
interface Binned {
  readonly name: string;
  readonly numeric: boolean;
  /** the first bin's index in the shared bin space */
  readonly offset: number;
  /** categorical: the values; numeric: each bin's largest value */
  readonly labels: readonly (string | number)[];
}

/** The upper bounds of at most `maxBins` ranges holding about as many of these values each. */
function quantileBounds(unsorted: readonly number[], maxBins: number): number[] {
  const values = Float64Array.from(unsorted).sort();
  const distinct: number[] = [];
  for (const value of values) if (distinct.at(-1) !== value) distinct.push(value);
  if (distinct.length <= maxBins) return distinct;
  const bounds: number[] = [];
  for (let bin = 1; bin <= maxBins; bin++) {
    const bound = values[Math.min(values.length - 1, Math.ceil((bin * values.length) / maxBins) - 1)]!;
    if (bounds.at(-1) !== bound) bounds.push(bound);
  }
  return bounds;
}

/** The index of the first bound ≥ value (the last bin for anything above them all). */
function binOf(bounds: readonly number[], value: number): number {
  let low = 0;
  let high = bounds.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bounds[middle]! >= value) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Every row's bin in each column (row-major: `bins[row * columns + column]`), and the columns' bins. The
 * columns are those of the first row; a column is numeric when its value there is a number.
 */
function binRows(rows: readonly BoostingRow[], maxBins: number) {
  const first = rows[0]?.columns ?? {};
  const names = Object.keys(first);
  const width = names.length;
  const bins = new Int32Array(rows.length * width);
  const columns: Binned[] = [];
  let offset = 0;
  names.forEach((name, column) => {
    const numeric = typeof first[name] === 'number';
    const values = rows.map((row) => row.columns[name]);
    let labels: (string | number)[];
    if (numeric) {
      const asNumbers = values.map((value) => (typeof value === 'number' ? value : Number.NEGATIVE_INFINITY));
      labels = quantileBounds(asNumbers, maxBins);
      asNumbers.forEach((value, row) => (bins[row * width + column] = offset + binOf(labels as number[], value)));
    } else {
      const index = new Map<string, number>();
      values.forEach((value, row) => {
        const text = String(value);
        let bin = index.get(text);
        if (bin === undefined) {
          bin = index.size;
          index.set(text, bin);
        }
        bins[row * width + column] = offset + bin;
      });
      labels = [...index.keys()];
    }
    columns.push({ name, numeric, offset, labels });
    offset += labels.length;
  });
  return { columns, bins, binCount: offset };
}

interface Split {
  /** the column's index */
  readonly column: number;
  /** categorical: the bin that goes to `yes`; numeric: the last bin that does (the lower ones too) */
  readonly bin: number;
  readonly numeric: boolean;
  readonly gain: number;
}

/**
 * Fits `settings.rounds` trees on top of each row's `base` log-odds (the prior and whatever the trees
 * add to).
 */
export function boost(
  rows: readonly BoostingRow[],
  base: Float64Array,
  settings: BoostingSettings = BOOSTING_SETTINGS,
): TreeNode[] {
  const { columns, bins, binCount } = binRows(rows, settings.maxBins);
  const width = columns.length;
  const { leafL2, minLeaf, minGain, shrinkage } = settings;
  const margins = Float64Array.from(base);
  const gradients = new Float64Array(rows.length);
  const hessians = new Float64Array(rows.length);

  /** Per bin, the sums of its verdicts' gradients, hessians and count, interleaved: [g, h, n, g, h, n, …]. */
  const histogramOf = (members: Int32Array) => {
    const histogram = new Float64Array(binCount * 3);
    for (const member of members) {
      const gradient = gradients[member]!;
      const hessian = hessians[member]!;
      const start = member * width;
      for (let column = 0; column < width; column++) {
        const at = bins[start + column]! * 3;
        histogram[at]! += gradient;
        histogram[at + 1]! += hessian;
        histogram[at + 2]! += 1;
      }
    }
    return histogram;
  };
  const subtract = (whole: Float64Array, part: Float64Array) => {
    const rest = new Float64Array(whole.length);
    for (let index = 0; index < whole.length; index++) rest[index] = whole[index]! - part[index]!;
    return rest;
  };

  const score = (gradient: number, hessian: number) => (gradient * gradient) / (hessian + leafL2);

  const bestSplit = (histogram: Float64Array, total: number): Split | undefined => {
    // every verdict is in exactly one bin of each column: the first column's bins hold the node's totals
    let gradientTotal = 0;
    let hessianTotal = 0;
    for (let bin = 0; bin < columns[0]!.labels.length; bin++) {
      gradientTotal += histogram[bin * 3]!;
      hessianTotal += histogram[bin * 3 + 1]!;
    }
    const parent = score(gradientTotal, hessianTotal);
    let best: Split | undefined;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      const end = column.offset + column.labels.length;
      let gradient = 0;
      let hessian = 0;
      let count = 0;
      // a categorical column: one value against the others; a numeric one: the bins up to this one
      for (let bin = column.offset; bin < (column.numeric ? end - 1 : end); bin++) {
        const at = bin * 3;
        if (column.numeric) {
          gradient += histogram[at]!;
          hessian += histogram[at + 1]!;
          count += histogram[at + 2]!;
        } else {
          gradient = histogram[at]!;
          hessian = histogram[at + 1]!;
          count = histogram[at + 2]!;
        }
        if (count < minLeaf || total - count < minLeaf) continue;
        const gain = score(gradient, hessian) + score(gradientTotal - gradient, hessianTotal - hessian) - parent;
        if (gain > minGain && (best === undefined || gain > best.gain)) {
          best = { column: index, bin, numeric: column.numeric, gain };
        }
      }
    }
    return best;
  };

  // the same bins column by column: a partition reads one column of its verdicts
  const byColumn = new Int32Array(bins.length);
  for (let row = 0; row < rows.length; row++) {
    for (let column = 0; column < width; column++) byColumn[column * rows.length + row] = bins[row * width + column]!;
  }
  const goesYes = (split: Split, member: number) => {
    const bin = byColumn[split.column * rows.length + member]!;
    return split.numeric ? bin <= split.bin : bin === split.bin;
  };

  /** A leaf's value; its verdicts' margins move by it at once. */
  const leaf = (members: Int32Array) => {
    let gradient = 0;
    let hessian = 0;
    for (const member of members) {
      gradient += gradients[member]!;
      hessian += hessians[member]!;
    }
    const value = (-shrinkage * gradient) / (hessian + leafL2);
    for (const member of members) margins[member]! += value;
    return value;
  };

  type Fitted = number | { split: Split; yes: Fitted; no: Fitted };
  const grow = (members: Int32Array, histogram: Float64Array | undefined, depth: number): Fitted => {
    const split = histogram ? bestSplit(histogram, members.length) : undefined;
    if (!split) return leaf(members);
    // the verdicts that go to `yes` from the front, the others from the back
    const sorted = new Int32Array(members.length);
    let front = 0;
    let back = members.length;
    for (const member of members) {
      if (goesYes(split, member)) sorted[front++] = member;
      else sorted[--back] = member;
    }
    const yes = sorted.subarray(0, front);
    const no = sorted.subarray(front);
    let yesHistogram: Float64Array | undefined;
    let noHistogram: Float64Array | undefined;
    if (depth + 1 < settings.depth) {
      // the smaller child's sums are counted, the larger one's are what is left of its parent's
      if (yes.length <= no.length) {
        yesHistogram = histogramOf(yes);
        noHistogram = subtract(histogram!, yesHistogram);
      } else {
        noHistogram = histogramOf(no);
        yesHistogram = subtract(histogram!, noHistogram);
      }
    }
    return { split, yes: grow(yes, yesHistogram, depth + 1), no: grow(no, noHistogram, depth + 1) };
  };
  const named = (node: Fitted): TreeNode => {
    if (typeof node === 'number') return node;
    const column = columns[node.split.column]!;
    const label = column.labels[node.split.bin - column.offset]!;
    const branches = { yes: named(node.yes), no: named(node.no) };
    return column.numeric
      ? { column: column.name, atMost: label as number, ...branches }
      : { column: column.name, equals: label as string, ...branches };
  };

  const everyone = Int32Array.from(rows, (_, index) => index);
  const trees: TreeNode[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    for (let index = 0; index < rows.length; index++) {
      const probability = sigmoid(margins[index]!);
      gradients[index] = probability - rows[index]!.label;
      hessians[index] = Math.max(probability * (1 - probability), 1e-6);
    }
    const tree = grow(everyone, settings.depth > 0 ? histogramOf(everyone) : undefined, 0);
    if (typeof tree === 'number' && Math.abs(tree) < 1e-9) break;
    trees.push(named(tree));
  }
  return trees;
}

/** The log-odds the trees add for a proposal with these columns. */
export function treesLogOdds(trees: readonly TreeNode[], columns: TreeColumns): number {
  let sum = 0;
  for (const tree of trees) {
    let node = tree;
    while (typeof node !== 'number') {
      const value = columns[node.column];
      const yes =
        'equals' in node ? value === node.equals : (typeof value === 'number' ? value : -Infinity) <= node.atMost;
      node = yes ? node.yes : node.no;
    }
    sum += node;
  }
  return sum;
}
