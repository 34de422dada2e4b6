import type { TimingSummary } from '../db/schema.js';

const round = (value: number) => Math.round(value * 100) / 100;

export function summariseTimings(timings: readonly number[]): TimingSummary | null {
  if (timings.length === 0) return null;
  const sorted = [...timings].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    min: round(sorted[0]!),
    median: round(median),
    max: round(sorted.at(-1)!),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}
