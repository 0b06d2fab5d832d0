import { ArgumentError } from '@entroscope/core';
import type { SampleMatrix } from './sample-matrix';
import { digamma } from './special-functions';

/**
 * Gaussian (parametric, "linear") estimators: the entropy, MI and conditional MI of a multivariate normal with the
 * sample covariance plugged in. Log-determinants by Cholesky, never det(). Optional bias correction of the
 * log-determinant: for N samples, E[ln det((N−1)S)] = ln det Σ + d ln 2 + Σ_{i=1}^{d} ψ((N−i)/2) (Goodman, Ann.
 * Math. Stat. 34, 911 (1963); Misra, Singh & Demchuk, J. Multivar. Anal. 92, 324 (2005)), so
 * ln det Σ ≈ ln det((N−1)S) − d ln 2 − Σ ψ((N−i)/2) is unbiased. For non-Gaussian data the MI is that of the
 * Gaussian with the same covariance (a lower bound on the MI of all distributions with that covariance only in the
 * sense of the maximum-entropy argument; it ignores every nonlinear dependence).
 */

/** ln det of a symmetric positive-definite d×d matrix (row-major) by Cholesky; −Infinity when singular. */
export function logDetCholesky(a: ArrayLike<number>, d: number): number {
  const l = new Float64Array(d * d);
  let logDet = 0;
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! * l[j * d + k]!;
    if (!(s > 0)) return -Infinity;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / ljj;
    }
  }
  return logDet;
}

/** Scatter matrix Σ_i (x_i − x̄)(x_i − x̄)ᵀ = (N − 1)S of the rows (optionally a selection), over the given columns. */
export function scatterMatrix(
  x: SampleMatrix,
  columns: readonly number[],
  selection?: ArrayLike<number>,
): Float64Array {
  const n = selection ? selection.length : x.n;
  const d = columns.length;
  const mean = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * x.d;
    for (let a = 0; a < d; a++) mean[a] = mean[a]! + x.values[base + columns[a]!]!;
  }
  for (let a = 0; a < d; a++) mean[a] = mean[a]! / n;
  const out = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * x.d;
    for (let a = 0; a < d; a++) row[a] = x.values[base + columns[a]!]! - mean[a]!;
    for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) out[a * d + b] = out[a * d + b]! + row[a]! * row[b]!;
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) out[b * d + a] = out[a * d + b]!;
  return out;
}

/** Estimate of ln det Σ from the scatter matrix of n samples: plug-in ln det(scatter/(n−1)) or bias-corrected. */
export function logDetCovariance(scatter: Float64Array, d: number, n: number, biasCorrected: boolean): number {
  if (n <= d) throw new ArgumentError('Gaussian estimator: samples', `more than the dimension ${d}`, n);
  const ld = logDetCholesky(scatter, d);
  if (!biasCorrected) return ld - d * Math.log(n - 1);
  let correction = d * Math.LN2;
  for (let i = 1; i <= d; i++) correction += digamma((n - i) / 2);
  return ld - correction;
}

/** Differential entropy ½ ln((2πe)^d det Σ) of the columns of x, Σ estimated from the samples; nats. */
export function gaussianEntropy(x: SampleMatrix, biasCorrected: boolean, selection?: ArrayLike<number>): number {
  const cols = [...Array(x.d).keys()];
  const n = selection ? selection.length : x.n;
  return (
    0.5 *
    (x.d * Math.log(2 * Math.PI * Math.E) + logDetCovariance(scatterMatrix(x, cols, selection), x.d, n, biasCorrected))
  );
}

/**
 * Gaussian MI ½[ln det Σ_X + ln det Σ_Y − ln det Σ_XY] (nats) between column groups `xs` and `ys` of the joint
 * matrix; with `zs`, the conditional MI ½[ln det Σ_XZ + ln det Σ_YZ − ln det Σ_Z − ln det Σ_XYZ].
 */
export function gaussianMutualInformation(
  joint: SampleMatrix,
  xs: readonly number[],
  ys: readonly number[],
  biasCorrected: boolean,
  selection?: ArrayLike<number>,
  zs: readonly number[] = [],
): number {
  const n = selection ? selection.length : joint.n;
  const ld = (cols: readonly number[]) =>
    cols.length === 0 ? 0 : logDetCovariance(scatterMatrix(joint, cols, selection), cols.length, n, biasCorrected);
  return 0.5 * (ld([...xs, ...zs]) + ld([...ys, ...zs]) - ld(zs) - ld([...xs, ...ys, ...zs]));
}
