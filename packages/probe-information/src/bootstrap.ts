import type { RandomStream } from '@entroscope/core';

/**
 * Bootstrap standard error of a statistic of independent rows: the standard deviation (n − 1 denominator)
 * of `statistic` over `replicates` resamples of the rows with replacement. Non-finite replicates are
 * dropped; returns undefined when fewer than two finite replicates remain.
 * `samplers` lists the row counts of each independent sample set (e.g. reference and comparison data).
 */
export function bootstrapStandardError(
  rowCounts: readonly number[],
  replicates: number,
  random: RandomStream,
  statistic: (selections: Uint32Array[]) => number,
): number | undefined {
  if (replicates < 2) return undefined;
  const values: number[] = [];
  const selections = rowCounts.map((n) => new Uint32Array(n));
  for (let b = 0; b < replicates; b++) {
    rowCounts.forEach((n, set) => {
      const selection = selections[set]!;
      for (let i = 0; i < n; i++) selection[i] = random.int(n);
    });
    const value = statistic(selections);
    if (Number.isFinite(value)) values.push(value);
  }
  if (values.length < 2) return undefined;
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance);
}
