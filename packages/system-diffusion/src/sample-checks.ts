import type { RandomStream } from '@entroscope/core';
import type { GaussianMixture } from './gaussian-mixture';

function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`sample covariance is not positive definite (pivot ${s} at ${i})`);
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  return l;
}

/**
 * KL(N(μ̂, Σ̂) ‖ p_d) for the Gaussian fit (sample mean, unbiased full covariance) of `samples` (n × D) against a
 * Gaussian p_d = N(m, diag c): ½[tr(C⁻¹Σ̂) + (m − μ̂)ᵀC⁻¹(m − μ̂) − D + ln det C − ln det Σ̂].
 */
export function gaussianFitKl(samples: ArrayLike<number>, n: number, data: GaussianMixture): number {
  const D = data.dimension;
  const { mean: m, variance: c } = data.components[0]!;
  const mu = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let i = 0; i < D; i++) mu[i]! += samples[r * D + i]! / n;
  const cov = new Float64Array(D * D);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < D; i++) {
      const a = samples[r * D + i]! - mu[i]!;
      for (let j = 0; j < D; j++) cov[i * D + j]! += (a * (samples[r * D + j]! - mu[j]!)) / (n - 1);
    }
  const l = cholesky(cov, D);
  let logDetFit = 0;
  for (let i = 0; i < D; i++) logDetFit += 2 * Math.log(l[i * D + i]!);
  let value = 0;
  for (let i = 0; i < D; i++) value += cov[i * D + i]! / c[i]! + (m[i]! - mu[i]!) ** 2 / c[i]! - 1 + Math.log(c[i]!);
  return 0.5 * (value - logDetFit);
}

/**
 * Compares model samples with a Gaussian p_d: the KL of their Gaussian fit, and a threshold from sampling error
 * alone: the mean + 4 standard deviations of the same statistic over `replicates` sets of n exact samples
 * (its expectation is ≈ (D + D(D+1)/2)/(2n) for a correct model).
 */
export function gaussianFitDivergence(
  samples: ArrayLike<number>,
  n: number,
  data: GaussianMixture,
  random: RandomStream,
  replicates = 30,
): { value: number; threshold: number; nullMean: number; replicates: number } {
  const nulls = Array.from({ length: replicates }, (_, r) =>
    gaussianFitKl(data.sample(n, random.split(`null:${r}`)), n, data),
  );
  const mean = nulls.reduce((a, b) => a + b, 0) / replicates;
  const sd = Math.sqrt(nulls.reduce((a, b) => a + (b - mean) ** 2, 0) / (replicates - 1));
  return { value: gaussianFitKl(samples, n, data), threshold: mean + 4 * sd, nullMean: mean, replicates };
}

/** Unbiased MMD² (Gretton et al. 2012) between a (n × D) and b (m × D) with the kernel exp(−‖x − y‖²/(2h²)). */
export function mmd2(
  a: ArrayLike<number>,
  n: number,
  b: ArrayLike<number>,
  m: number,
  D: number,
  bandwidth: number,
): number {
  const g = 1 / (2 * bandwidth * bandwidth);
  const k = (x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number) => {
    let d2 = 0;
    for (let t = 0; t < D; t++) d2 += (x[i * D + t]! - y[j * D + t]!) ** 2;
    return Math.exp(-g * d2);
  };
  let xx = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) xx += k(a, i, a, j);
  let yy = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) yy += k(b, i, b, j);
  let xy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) xy += k(a, i, b, j);
  return (2 * xx) / (n * (n - 1)) + (2 * yy) / (m * (m - 1)) - (2 * xy) / (n * m);
}

/**
 * MMD² between model samples and fresh samples of p_d, with the bandwidth from the median heuristic on data, and a
 * threshold from sampling error alone: the mean + 4 standard deviations of MMD² between two independent data sets
 * of the same sizes over `replicates` replicates.
 */
export function mmdCheck(
  samples: ArrayLike<number>,
  n: number,
  data: GaussianMixture,
  random: RandomStream,
  replicates = 10,
): { value: number; threshold: number; nullMean: number; bandwidth: number; replicates: number } {
  const D = data.dimension;
  const reference = data.sample(n, random.split('reference'));
  const distances: number[] = [];
  for (let i = 0; i < Math.min(n, 200); i++)
    for (let j = i + 1; j < Math.min(n, 200); j++) {
      let d2 = 0;
      for (let t = 0; t < D; t++) d2 += (reference[i * D + t]! - reference[j * D + t]!) ** 2;
      distances.push(Math.sqrt(d2));
    }
  distances.sort((x, y) => x - y);
  const bandwidth = distances[Math.floor(distances.length / 2)]!;
  const nulls = Array.from({ length: replicates }, (_, r) =>
    mmd2(data.sample(n, random.split(`null-a:${r}`)), n, data.sample(n, random.split(`null-b:${r}`)), n, D, bandwidth),
  );
  const mean = nulls.reduce((a, b) => a + b, 0) / replicates;
  const sd = Math.sqrt(nulls.reduce((a, b) => a + (b - mean) ** 2, 0) / (replicates - 1));
  return {
    value: mmd2(samples, n, reference, n, D, bandwidth),
    threshold: mean + 4 * sd,
    nullMean: mean,
    bandwidth,
    replicates,
  };
}
