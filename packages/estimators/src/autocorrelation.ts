import { ArgumentError } from '@entroscope/core';

/**
 * Integrated autocorrelation time and effective sample size of a correlated series (a Markov chain's
 * measurements), with Sokal's automatic window: A. D. Sokal, "Monte Carlo methods in statistical mechanics:
 * foundations and new algorithms" (Cargèse lectures, 1996), §3; N. Madras & A. D. Sokal, J. Stat. Phys. 50, 109
 * (1988) for the error of τ.
 */

/** Integrated autocorrelation time and the window it was measured with. */
export interface AutocorrelationTime {
  /** τ_int = ½ + Σ_{t=1}^{W} ρ(t), in units of the series' step (½ for independent samples). */
  readonly tau: number;
  /** Window W: the smallest W with W ≥ c·τ_int(W). */
  readonly window: number;
  /** False when no window satisfied the criterion below n/4: the series is too short for a reliable τ. */
  readonly reliable: boolean;
  /** Standard error of τ (Madras–Sokal): τ √(2(2W + 1)/n). */
  readonly error: number;
}

/**
 * τ_int with Sokal's automatic windowing (c = 6 by default). ρ(t) uses the overall mean and the 1/n-normalised
 * autocovariance. A constant series has τ = ½ by convention. O(n·W).
 */
export function integratedAutocorrelationTime(series: ArrayLike<number>, c = 6): AutocorrelationTime {
  const n = series.length;
  if (n < 8) throw new ArgumentError('integratedAutocorrelationTime', 'a series of at least 8 values', n);
  if (!(c > 0)) throw new ArgumentError('integratedAutocorrelationTime: c', 'a window factor > 0', c);
  let mean = 0;
  for (let t = 0; t < n; t++) mean += series[t]!;
  mean /= n;
  const centred = new Float64Array(n);
  let variance = 0;
  for (let t = 0; t < n; t++) {
    centred[t] = series[t]! - mean;
    variance += centred[t]! * centred[t]!;
  }
  variance /= n;
  if (variance === 0) return { tau: 0.5, window: 0, reliable: true, error: 0 };
  let tau = 0.5;
  const maxWindow = Math.floor(n / 4);
  const result = (W: number, reliable: boolean): AutocorrelationTime => {
    const t = Math.max(tau, 0.5);
    return { tau: t, window: W, reliable, error: t * Math.sqrt((2 * (2 * W + 1)) / n) };
  };
  for (let W = 1; W <= maxWindow; W++) {
    let s = 0;
    for (let t = 0; t + W < n; t++) s += centred[t]! * centred[t + W]!;
    tau += s / n / variance;
    if (W >= c * tau) return result(W, true);
  }
  return result(maxWindow, false);
}

/** Effective sample size of a correlated series and the τ_int it comes from. */
export interface EffectiveSampleSize extends AutocorrelationTime {
  /** n / (2 τ_int), at most n. */
  readonly effectiveSampleSize: number;
  readonly n: number;
}

/** n / (2 τ_int): the number of effectively independent samples in a correlated series. */
export function effectiveSampleSize(series: ArrayLike<number>, c = 6): EffectiveSampleSize {
  const t = integratedAutocorrelationTime(series, c);
  return { ...t, n: series.length, effectiveSampleSize: Math.min(series.length, series.length / (2 * t.tau)) };
}

/**
 * Block length for a moving-block bootstrap of a correlated sequence of units: 1 + ⌈factor·(2τ_int − 1)⌉, i.e. 1
 * for independent units (τ = ½) and about `factor` decorrelation times 2τ otherwise, so that consecutive blocks
 * are nearly independent; at most n/4. factor = 2 by default.
 */
export function blockLengthFor(tau: number, n: number, factor = 2): number {
  if (!(tau >= 0.5)) throw new ArgumentError('blockLengthFor: tau', 'an integrated autocorrelation time ≥ ½', tau);
  return Math.max(1, Math.min(Math.max(1, Math.floor(n / 4)), 1 + Math.ceil(factor * (2 * tau - 1) - 1e-12)));
}
