/** Model quality on held-out verdicts: ranking (AUC), calibration and how many verdicts it rests on. */
export interface ModelQuality {
  /** held out: the most recent verdicts, which the scores being judged had not learned from */
  n: number;
  accepted: number;
  /** area under the ROC curve; null unless both accepted and rejected verdicts are present */
  auc: number | null;
  /** mean squared error of the probabilities */
  brier: number | null;
  calibration: CalibrationBucket[];
  /** `holdout`: a model trained on the older verdicts scored the recent ones; `prequential`: the scores the proposals had when reviewed */
  method: 'holdout' | 'prequential';
}

export interface CalibrationBucket {
  from: number;
  to: number;
  n: number;
  mean_predicted: number;
  observed: number;
}

/**
 * AUC as the Mann–Whitney rank statistic: the probability that a random accepted proposal scores higher
 * than a random rejected one, ties counting half (average ranks).
 */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number | null {
  const positives = labels.filter((label) => label === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = scores.map((score, index) => ({ score, label: labels[index]! })).sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.score === order[start]!.score) end++;
    const averageRank = (start + end + 2) / 2; // ranks are 1-based
    for (let index = start; index <= end; index++) if (order[index]!.label === 1) rankSum += averageRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Equal-width probability buckets; empty ones are left out. */
export function calibration(scores: readonly number[], labels: readonly (0 | 1)[], buckets = 5): CalibrationBucket[] {
  const result: CalibrationBucket[] = [];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = bucket / buckets;
    const to = (bucket + 1) / buckets;
    const members = scores
      .map((score, index) => ({ score, label: labels[index]! }))
      .filter(({ score }) => score >= from && (bucket === buckets - 1 ? score <= to : score < to));
    if (members.length === 0) continue;
    result.push({
      from,
      to,
      n: members.length,
      mean_predicted: round(members.reduce((sum, { score }) => sum + score, 0) / members.length),
      observed: round(members.filter(({ label }) => label === 1).length / members.length),
    });
  }
  return result;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

export function evaluate(
  scores: readonly number[],
  labels: readonly (0 | 1)[],
  method: ModelQuality['method'],
): ModelQuality {
  const area = auc(scores, labels);
  return {
    n: scores.length,
    accepted: labels.filter((label) => label === 1).length,
    auc: area === null ? null : round(area),
    brier: scores.length
      ? round(scores.reduce((sum, score, index) => sum + (score - labels[index]!) ** 2, 0) / scores.length)
      : null,
    calibration: calibration(scores, labels),
    method,
  };
}
