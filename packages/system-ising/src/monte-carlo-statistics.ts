import { ArgumentError } from '@entroscope/core';

/**
 * Statistics of correlated Markov-chain time series: the integrated autocorrelation time measured with Sokal's
 * automatic window, the effective sample size, errors of means that account for autocorrelation, the MSER
 * truncation rule for thermalisation, and a block jackknife for nonlinear estimators (variances).
 *
 * References: A. D. Sokal, "Monte Carlo methods in statistical mechanics" (Cargèse lectures, 1996), §3;
 * N. Madras & A. D. Sokal, J. Stat. Phys. 50, 109 (1988); K. P. White, Simulation 69, 323 (1997) (MSER).
 */

/** Mean and (biased, 1/n) variance of a series. */
function moments(series: ArrayLike<number>, start = 0, end = series.length): { mean: number; variance: number } {
  const n = end - start;
  let mean = 0;
  for (let t = start; t < end; t++) mean += series[t]!;
  mean /= n;
  let variance = 0;
  for (let t = start; t < end; t++) variance += (series[t]! - mean) ** 2;
  return { mean, variance: variance / n };
}

/** Integrated autocorrelation time and the window it was measured with. */
export interface AutocorrelationTime {
  /** τ_int = ½ + Σ_{t=1}^{W} ρ(t), in units of the series' time step (1/2 for independent samples). */
  readonly tau: number;
  /** Window W: the smallest W with W ≥ c·τ_int(W). */
  readonly window: number;
  /** False when no window satisfied the criterion below n/4: the series is too short for a reliable τ. */
  readonly reliable: boolean;
  /** Standard error of τ (Madras–Sokal): τ sqrt(2(2W + 1)/n). */
  readonly error: number;
}

/**
 * τ_int with Sokal's automatic windowing (c = 6 by default). ρ(t) uses the overall mean and the 1/n normalised
 * autocovariance. A constant series has τ = ½ by convention.
 */
export function integratedAutocorrelationTime(series: ArrayLike<number>, c = 6): AutocorrelationTime {
  const n = series.length;
  if (n < 8) throw new ArgumentError('integratedAutocorrelationTime', 'a series of at least 8 values', n);
  const { mean, variance } = moments(series);
  if (variance === 0) return { tau: 0.5, window: 0, reliable: true, error: 0 };
  const centred = new Float64Array(n);
  for (let t = 0; t < n; t++) centred[t] = series[t]! - mean;
  let tau = 0.5;
  const maxWindow = Math.floor(n / 4);
  for (let W = 1; W <= maxWindow; W++) {
    let s = 0;
    for (let t = 0; t + W < n; t++) s += centred[t]! * centred[t + W]!;
    tau += s / n / variance;
    if (W >= c * tau)
      return {
        tau: Math.max(tau, 0.5),
        window: W,
        reliable: true,
        error: Math.max(tau, 0.5) * Math.sqrt((2 * (2 * W + 1)) / n),
      };
  }
  return {
    tau: Math.max(tau, 0.5),
    window: maxWindow,
    reliable: false,
    error: Math.max(tau, 0.5) * Math.sqrt((2 * (2 * maxWindow + 1)) / n),
  };
}

/** A mean with its autocorrelation-aware standard error. */
export interface MeanEstimate {
  readonly mean: number;
  /** sqrt(2 τ_int · Var / n): one standard error of the mean. */
  readonly standardError: number;
  readonly tau: number;
  /** n / (2 τ_int): number of effectively independent samples. */
  readonly effectiveSampleSize: number;
  readonly n: number;
  readonly reliable: boolean;
}

/** Mean of a correlated series with its standard error from the measured τ_int. */
export function correlatedMean(series: ArrayLike<number>, c = 6): MeanEstimate {
  const { mean, variance } = moments(series);
  const n = series.length;
  const t = integratedAutocorrelationTime(series, c);
  // Unbiased variance of the observable (n − 1), inflated by 2τ.
  const unbiased = (variance * n) / (n - 1);
  return {
    mean,
    standardError: Math.sqrt((2 * t.tau * unbiased) / n),
    tau: t.tau,
    effectiveSampleSize: n / (2 * t.tau),
    n,
    reliable: t.reliable,
  };
}

/**
 * MSER-m thermalisation cut (White 1997): average the series in batches of m, and choose the number d of
 * leading batches to drop that minimises the marginal standard error Σ_{k>d}(x̄_k − x̄_{>d})² / (b − d)²,
 * searching d over the first half. Returns the number of *raw* steps to discard (d·m).
 */
export function mserTruncation(series: ArrayLike<number>, batch = 5): number {
  const b = Math.floor(series.length / batch);
  if (b < 4) return 0;
  const means = new Float64Array(b);
  for (let k = 0; k < b; k++) {
    let s = 0;
    for (let t = 0; t < batch; t++) s += series[k * batch + t]!;
    means[k] = s / batch;
  }
  // Suffix sums give every tail's mean and variance in O(b).
  const sum = new Float64Array(b + 1);
  const sumSq = new Float64Array(b + 1);
  for (let k = b - 1; k >= 0; k--) {
    sum[k] = sum[k + 1]! + means[k]!;
    sumSq[k] = sumSq[k + 1]! + means[k]! * means[k]!;
  }
  let best = 0;
  let bestValue = Infinity;
  for (let d = 0; d <= Math.floor(b / 2); d++) {
    const m = b - d;
    const ss = sumSq[d]! - (sum[d]! * sum[d]!) / m;
    const value = ss / (m * m);
    if (value < bestValue) {
      bestValue = value;
      best = d;
    }
  }
  return best * batch;
}

/**
 * Block-jackknife estimate and standard error of a (possibly nonlinear) statistic of a correlated series, with
 * `blocks` contiguous blocks (each should be much longer than τ_int). `statistic` receives the series with one
 * block removed, as a list of [start, end) ranges.
 */
export function blockJackknife(
  series: ArrayLike<number>,
  blocks: number,
  statistic: (ranges: readonly [number, number][]) => number,
): { value: number; standardError: number } {
  const n = series.length;
  if (!Number.isInteger(blocks) || blocks < 2 || blocks > n)
    throw new ArgumentError('blockJackknife: blocks', `an integer in [2, ${n}]`, blocks);
  const size = Math.floor(n / blocks);
  const used = size * blocks;
  const value = statistic([[0, used]]);
  const leaveOut = new Float64Array(blocks);
  for (let k = 0; k < blocks; k++) {
    const ranges: [number, number][] = [];
    if (k > 0) ranges.push([0, k * size]);
    if (k < blocks - 1) ranges.push([(k + 1) * size, used]);
    leaveOut[k] = statistic(ranges);
  }
  const { mean, variance } = moments(leaveOut);
  void mean;
  return { value, standardError: Math.sqrt((blocks - 1) * variance) };
}

/** Variance (1/n) of the values of `series` within `ranges`: a helper for `blockJackknife`. */
export function varianceOver(series: ArrayLike<number>, ranges: readonly [number, number][]): number {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (const [a, b] of ranges) {
    for (let t = a; t < b; t++) {
      const x = series[t]!;
      s += x;
      s2 += x * x;
    }
    n += b - a;
  }
  const mean = s / n;
  return s2 / n - mean * mean;
}
