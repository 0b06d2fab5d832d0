import { ArgumentError } from '@entroscope/core';
import type { FloatArray, HistogramRange } from '../kernel-names';

/**
 * Bin index of x in `bins` equal-width bins on [lo, hi] (numpy.histogram semantics): ⌊(x − lo)/(hi − lo)·bins⌋,
 * x = hi goes to the last bin, x outside [lo, hi] or NaN gives −1 (not counted).
 */
export function binIndex(x: number, bins: number, lo: number, hi: number): number {
  if (!(x >= lo && x <= hi)) return -1;
  const b = Math.floor(((x - lo) / (hi - lo)) * bins);
  return b >= bins ? bins - 1 : b;
}

/** Counts of `x` in `bins` equal-width bins over [lo, hi]; values outside (and NaN) are dropped. */
export function histogram1dCpu(x: FloatArray, bins: number, range: HistogramRange): Float64Array {
  checkBins('histogram1dCpu', bins, range);
  const counts = new Float64Array(bins);
  const { lo, hi } = range;
  const width = hi - lo;
  // binIndex inlined (same arithmetic, so the same bin for every value): ~4× faster than a call per sample.
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= lo && v <= hi) {
      const b = Math.floor(((v - lo) / width) * bins);
      counts[b >= bins ? bins - 1 : b]++;
    }
  }
  return counts;
}

/**
 * Joint counts of the pairs (x_i, y_i): a binsX×binsY row-major matrix H[bx·binsY + by] (numpy.histogram2d
 * layout); a pair with either coordinate outside its range is dropped.
 */
export function histogram2dCpu(
  x: FloatArray,
  y: FloatArray,
  binsX: number,
  binsY: number,
  rangeX: HistogramRange,
  rangeY: HistogramRange,
): Float64Array {
  checkBins('histogram2dCpu (x)', binsX, rangeX);
  checkBins('histogram2dCpu (y)', binsY, rangeY);
  if (x.length !== y.length)
    throw new ArgumentError('histogram2dCpu', 'x and y of equal length', `${x.length} and ${y.length}`);
  const counts = new Float64Array(binsX * binsY);
  for (let i = 0; i < x.length; i++) {
    const bx = binIndex(x[i]!, binsX, rangeX.lo, rangeX.hi);
    const by = binIndex(y[i]!, binsY, rangeY.lo, rangeY.hi);
    if (bx >= 0 && by >= 0) counts[bx * binsY + by]++;
  }
  return counts;
}

export function checkBins(where: string, bins: number, range: HistogramRange): void {
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError(`${where}: bins`, 'an integer ≥ 1', bins);
  if (!range || !Number.isFinite(range.lo) || !Number.isFinite(range.hi) || !(range.hi > range.lo)) {
    throw new ArgumentError(`${where}: range`, 'finite { lo, hi } with hi > lo', range);
  }
}
