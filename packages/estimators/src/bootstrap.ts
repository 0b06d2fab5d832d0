import { ArgumentError, type RandomStream } from '@entroscope/core';

/**
 * Resampling uncertainty of a statistic of independent units (Efron & Tibshirani, "An Introduction to the
 * Bootstrap", 1993; Künsch, Ann. Stat. 17, 1217 (1989) for the moving-block variant; Politis, Romano & Wolf,
 * "Subsampling", 1999).
 *
 * A *unit* is what is independent: a spin configuration, a network, an input pattern. Never resample correlated
 * pieces of one unit (patches of a lattice, neurons of one layer) as if they were independent: that understates
 * the error. When the units themselves form a correlated sequence (a Markov chain of configurations), resample
 * contiguous blocks of units (`blockLength` ≫ the integrated autocorrelation time, see `autocorrelation.ts`).
 *
 * Replicates whose statistic is not finite (an infinite KL on a resample that misses a bin, a log of zero) are
 * counted in `nonFinite` and never silently dropped: when any replicate is non-finite the standard error and the
 * interval are reported as absent, with the count saying why.
 */

/** How units are resampled. */
export type ResamplingMethod =
  /** n draws with replacement (Efron): the default for statistics that tolerate repeated units. */
  | 'bootstrap'
  /**
   * m = ⌊n·fraction⌋ draws without replacement (Politis–Romano), standard error rescaled by √(m/n) (√n-consistent
   * statistics). For kNN estimators, whose distances collapse to zero on repeated units.
   */
  | 'subsample';

export interface ResamplingOptions {
  /** Number of resamples (≥ 2 for a standard error). */
  readonly replicates: number;
  /** Central interval level in (0, 1); 0.95 by default. */
  readonly level?: number;
  readonly method?: ResamplingMethod;
  /** Fraction of units kept by 'subsample' (default ½). */
  readonly fraction?: number;
  /**
   * Contiguous units per resampled block (moving-block bootstrap), for units that form a correlated sequence.
   * 1 (default) resamples units independently.
   */
  readonly blockLength?: number;
}

/** The result of resampling: what the Measurement carries in `meta.uncertainty`. */
export interface ResamplingSummary {
  readonly method: ResamplingMethod;
  /** Replicates requested. */
  readonly replicates: number;
  /** Replicates whose statistic was ±Infinity or NaN (counted, not dropped). */
  readonly nonFinite: number;
  /** Units per resample set (one entry per independent sample set). */
  readonly units: readonly number[];
  readonly blockLength: number;
  /** Fraction of units kept ('subsample' only). */
  readonly fraction?: number;
  readonly level: number;
  /** One standard error of the full-sample statistic; absent when fewer than 2 replicates or any is non-finite. */
  readonly standardError?: number;
  /**
   * Central `level` interval. 'bootstrap': percentile interval of the replicates. 'subsample': the full-sample
   * value ± the rescaled quantiles of the replicate deviations (Politis–Romano). Absent as the standard error is.
   */
  readonly interval?: readonly [number, number];
}

/** Linear-interpolation quantile (type 7, as NumPy's default) of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function fillSelection(selection: Uint32Array, n: number, blockLength: number, random: RandomStream): void {
  if (blockLength <= 1) {
    for (let i = 0; i < selection.length; i++) selection[i] = random.int(n);
    return;
  }
  // Moving blocks: start uniformly in [0, n − b], copy b consecutive units, until the selection is full.
  const starts = n - blockLength + 1;
  for (let i = 0; i < selection.length;) {
    const s = random.int(starts);
    for (let j = 0; j < blockLength && i < selection.length; j++) selection[i++] = s + j;
  }
}

function fillSubsample(selection: Uint32Array, n: number, scratch: Uint32Array, random: RandomStream): void {
  // Partial Fisher–Yates: the first m entries of a random permutation, kept in index order (order-invariant
  // statistics do not care; sequence statistics keep their order).
  for (let i = 0; i < n; i++) scratch[i] = i;
  const m = selection.length;
  for (let i = 0; i < m; i++) {
    const j = i + random.int(n - i);
    const t = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = t;
  }
  selection.set(scratch.subarray(0, m));
  selection.sort();
}

/**
 * Resamples the units of each independent sample set (`unitCounts[s]` units in set s, resampled separately) and
 * summarises the spread of `statistic` over the replicates. `statistic` receives one selection (unit indices) per
 * set; it must not keep the arrays, which are reused. `value` is the full-sample statistic (needed for the
 * 'subsample' interval; pass it when known).
 */
export function resample(
  unitCounts: readonly number[],
  options: ResamplingOptions,
  random: RandomStream,
  statistic: (selections: Uint32Array[]) => number,
  value?: number,
): ResamplingSummary {
  const method = options.method ?? 'bootstrap';
  const level = options.level ?? 0.95;
  const blockLength = options.blockLength ?? 1;
  const fraction = options.fraction ?? 0.5;
  const { replicates } = options;
  if (!Number.isInteger(replicates) || replicates < 0)
    throw new ArgumentError('resample: replicates', 'an integer ≥ 0', replicates);
  if (!(level > 0 && level < 1)) throw new ArgumentError('resample: level', 'a number in (0, 1)', level);
  if (!Number.isInteger(blockLength) || blockLength < 1)
    throw new ArgumentError('resample: blockLength', 'an integer ≥ 1', blockLength);
  if (method === 'subsample' && !(fraction > 0 && fraction < 1))
    throw new ArgumentError('resample: fraction', 'a number in (0, 1)', fraction);
  for (const n of unitCounts) {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError('resample: unit count', 'an integer ≥ 1', n);
    if (blockLength > n)
      throw new ArgumentError('resample: blockLength', `at most the number of units (${n})`, blockLength);
  }
  const sizes = unitCounts.map((n) => (method === 'subsample' ? Math.max(2, Math.floor(n * fraction)) : n));
  const selections = sizes.map((m) => new Uint32Array(m));
  const scratch = method === 'subsample' ? unitCounts.map((n) => new Uint32Array(n)) : [];
  const values = new Float64Array(replicates);
  let nonFinite = 0;
  for (let b = 0; b < replicates; b++) {
    unitCounts.forEach((n, set) => {
      if (method === 'subsample') fillSubsample(selections[set]!, n, scratch[set]!, random);
      else fillSelection(selections[set]!, n, blockLength, random);
    });
    const v = statistic(selections);
    values[b] = v;
    if (!Number.isFinite(v)) nonFinite++;
  }
  const summary = {
    method,
    replicates,
    nonFinite,
    units: [...unitCounts],
    blockLength,
    ...(method === 'subsample' && { fraction }),
    level,
  };
  if (replicates < 2 || nonFinite > 0) return summary;
  let mean = 0;
  for (const v of values) mean += v / replicates;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (replicates - 1));
  const sorted = Float64Array.from(values).sort();
  const alpha = (1 - level) / 2;
  if (method === 'bootstrap') {
    return {
      ...summary,
      standardError: sd,
      interval: [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)],
    };
  }
  // Subsampling: Var(θ̂_n) ≈ (m/n) Var(θ̂_m) for √n-rate statistics, with the finite-population factor (1 − m/n)
  // for draws without replacement (the subsample estimates are positively correlated through shared units).
  const ratios = unitCounts.map((n, s) => sizes[s]! / n);
  const r = Math.min(...ratios);
  const scale = Math.sqrt(r / (1 - r));
  const centre = value ?? mean;
  return {
    ...summary,
    standardError: sd * scale,
    interval: [
      centre - (quantileSorted(sorted, 1 - alpha) - mean) * scale,
      centre - (quantileSorted(sorted, alpha) - mean) * scale,
    ],
  };
}

/**
 * Bootstrap standard error of a statistic of independent rows: the standard deviation (n − 1 denominator) of
 * `statistic` over `replicates` resamples with replacement of each set's rows. Returns undefined when fewer than
 * two replicates are asked for or when any replicate is non-finite (use `resample` to see how many were).
 * `rowCounts` lists the row counts of each independent sample set (e.g. reference and comparison data).
 */
export function bootstrapStandardError(
  rowCounts: readonly number[],
  replicates: number,
  random: RandomStream,
  statistic: (selections: Uint32Array[]) => number,
): number | undefined {
  if (replicates < 2) return undefined;
  return resample(rowCounts, { replicates }, random, statistic).standardError;
}
