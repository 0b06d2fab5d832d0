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
  centre = true,
): Float64Array {
  const n = selection ? selection.length : x.n;
  const d = columns.length;
  const mean = new Float64Array(d);
  if (centre) {
    for (let k = 0; k < n; k++) {
      const base = (selection ? selection[k]! : k) * x.d;
      for (let a = 0; a < d; a++) mean[a] = mean[a]! + x.values[base + columns[a]!]!;
    }
    for (let a = 0; a < d; a++) mean[a] = mean[a]! / n;
  }
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

/**
 * Estimate of ln det Σ from the scatter matrix of n samples: plug-in ln det(scatter/ν) or bias-corrected, with ν the
 * degrees of freedom of the scatter (n − 1 about the sample mean; n about a known zero mean).
 */
export function logDetCovariance(
  scatter: Float64Array,
  d: number,
  n: number,
  biasCorrected: boolean,
  dof = n - 1,
): number {
  if (n <= d) throw new ArgumentError('Gaussian estimator: samples', `more than the dimension ${d}`, n);
  const ld = logDetCholesky(scatter, d);
  if (!biasCorrected) return ld - d * Math.log(dof);
  let correction = d * Math.LN2;
  for (let i = 1; i <= d; i++) correction += digamma((dof + 1 - i) / 2);
  return ld - correction;
}

/**
 * −½ ln(1 − c²) for the correlation c of two columns, with 1 − c² = (1 − c)(1 + c) computed from the unit vectors
 * â, b̂ as (‖â − b̂‖²/2)(‖â + b̂‖²/2), so that it keeps its relative precision as c → 1 (nearly collinear inputs deep
 * in an ordered network). Centred (Pearson) or about zero (uncentred).
 */
function pairInformation(
  joint: SampleMatrix,
  a: number,
  b: number,
  centre: boolean,
  selection?: ArrayLike<number>,
): number {
  const n = selection ? selection.length : joint.n;
  const D = joint.d;
  let ma = 0;
  let mb = 0;
  if (centre) {
    for (let k = 0; k < n; k++) {
      const base = (selection ? selection[k]! : k) * D;
      ma += joint.values[base + a]!;
      mb += joint.values[base + b]!;
    }
    ma /= n;
    mb /= n;
  }
  let na = 0;
  let nb = 0;
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * D;
    const u = joint.values[base + a]! - ma;
    const v = joint.values[base + b]! - mb;
    na += u * u;
    nb += v * v;
  }
  if (!(na > 0) || !(nb > 0)) return NaN;
  const ia = 1 / Math.sqrt(na);
  const ib = 1 / Math.sqrt(nb);
  let minus = 0;
  let plus = 0;
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * D;
    const u = (joint.values[base + a]! - ma) * ia;
    const v = (joint.values[base + b]! - mb) * ib;
    minus += (u - v) * (u - v);
    plus += (u + v) * (u + v);
  }
  return -0.5 * Math.log((minus / 2) * (plus / 2));
}

/** Differential entropy ½ ln((2πe)^d det Σ) of the columns of x, Σ estimated from the samples; nats. */
export function gaussianEntropy(
  x: SampleMatrix,
  biasCorrected: boolean,
  selection?: ArrayLike<number>,
  centre = true,
): number {
  const cols = [...Array(x.d).keys()];
  const n = selection ? selection.length : x.n;
  const ld = logDetCovariance(scatterMatrix(x, cols, selection, centre), x.d, n, biasCorrected, centre ? n - 1 : n);
  return 0.5 * (x.d * Math.log(2 * Math.PI * Math.E) + ld);
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
  centre = true,
): number {
  const n = selection ? selection.length : joint.n;
  const dof = centre ? n - 1 : n;
  const ld = (cols: readonly number[]) =>
    cols.length === 0
      ? 0
      : logDetCovariance(scatterMatrix(joint, cols, selection, centre), cols.length, n, biasCorrected, dof);
  if (xs.length === 1 && ys.length === 1 && zs.length === 0) {
    // Two scalars: the same value from the correlation, computed without cancellation as c → 1. The bias
    // correction of the three log-determinants reduces to ½[ψ(ν/2) − ψ((ν − 1)/2)].
    if (n < 2 || (biasCorrected && dof < 2))
      throw new ArgumentError(
        'Gaussian estimator: samples',
        biasCorrected ? 'more than the dimension 2' : 'at least 2',
        n,
      );
    const plugIn = pairInformation(joint, xs[0]!, ys[0]!, centre, selection);
    return biasCorrected ? plugIn - 0.5 * (digamma(dof / 2) - digamma((dof - 1) / 2)) : plugIn;
  }
  return 0.5 * (ld([...xs, ...zs]) + ld([...ys, ...zs]) - ld(zs) - ld([...xs, ...ys, ...zs]));
}

/** Lower Cholesky factor L (row-major) of a symmetric positive-definite matrix, or undefined when it is not. */
function choleskyFactor(a: ArrayLike<number>, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! * l[j * d + k]!;
    if (!(s > 0)) return undefined;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** Solves L Lᵀ v = b in place (L from `choleskyFactor`). */
function choleskySolve(l: Float64Array, d: number, b: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * b[k]!;
    b[i] = s / l[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * b[k]!;
    b[i] = s / l[i * d + i]!;
  }
}

function columnMeans(x: SampleMatrix, selection?: ArrayLike<number>): Float64Array {
  const n = selection ? selection.length : x.n;
  const mean = new Float64Array(x.d);
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * x.d;
    for (let a = 0; a < x.d; a++) mean[a] = mean[a]! + x.values[base + a]!;
  }
  for (let a = 0; a < x.d; a++) mean[a] = mean[a]! / n;
  return mean;
}

/**
 * KL divergence D(P‖Q) (nats) between the Gaussians fitted to samples x ~ P (n rows) and y ~ Q (m rows), two
 * independent sample sets of the same dimension d:
 * D = ½[tr(Σ_Q⁻¹Σ_P) + (μ_Q − μ_P)ᵀΣ_Q⁻¹(μ_Q − μ_P) − d + ln det Σ_Q − ln det Σ_P].
 * `biasCorrected` makes every term unbiased for Gaussian data (needs m > d + 2): with S the unbiased sample
 * covariances, E[S_Q⁻¹] = Σ_Q⁻¹ (m − 1)/(m − d − 2) (inverse Wishart), so (m − d − 2)/(m − 1)·tr(S_Q⁻¹S_P) is unbiased
 * for the trace; the quadratic form of the mean difference δ̂ has E[δ̂ᵀΣ_Q⁻¹δ̂] = δᵀΣ_Q⁻¹δ + tr(Σ_Q⁻¹Σ_P)/n + d/m,
 * so those two terms are subtracted; the log-determinants are the ψ-corrected ones of `logDetCovariance`. The
 * plug-in (biasCorrected false) is biased upwards at small sample sizes (its value for P = Q is positive). For
 * non-Gaussian data it is the divergence of the moment-matched Gaussians, not of the distributions.
 */
export function gaussianKlDivergence(
  x: SampleMatrix,
  y: SampleMatrix,
  biasCorrected: boolean,
  selections?: readonly [ArrayLike<number>?, ArrayLike<number>?],
): number {
  if (x.d !== y.d) throw new ArgumentError('Gaussian KL divergence: dimension', `y with x's dimension ${x.d}`, y.d);
  const d = x.d;
  const cols = [...Array(d).keys()];
  const n = selections?.[0] ? selections[0].length : x.n;
  const m = selections?.[1] ? selections[1].length : y.n;
  if (n <= d) throw new ArgumentError('Gaussian KL divergence: P samples', `more than the dimension ${d}`, n);
  if (m <= d + (biasCorrected ? 2 : 0))
    throw new ArgumentError(
      'Gaussian KL divergence: Q samples',
      `more than ${biasCorrected ? `the dimension + 2 (${d + 2}) for the bias correction` : `the dimension ${d}`}`,
      m,
    );
  const scatterP = scatterMatrix(x, cols, selections?.[0]);
  const scatterQ = scatterMatrix(y, cols, selections?.[1]);
  const lq = choleskyFactor(scatterQ, d);
  if (!lq) return Infinity;
  // tr(S_Q⁻¹ S_P) with S = scatter/(count − 1): solve column by column.
  let trace = 0;
  const col = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) col[i] = scatterP[i * d + j]!;
    choleskySolve(lq, d, col);
    trace += col[j]!;
  }
  trace *= (m - 1) / (n - 1);
  const delta = columnMeans(y, selections?.[1]);
  const meanP = columnMeans(x, selections?.[0]);
  for (let a = 0; a < d; a++) delta[a] = delta[a]! - meanP[a]!;
  const solved = Float64Array.from(delta);
  choleskySolve(lq, d, solved);
  let quadratic = 0;
  for (let a = 0; a < d; a++) quadratic += delta[a]! * solved[a]!;
  quadratic *= m - 1;
  if (biasCorrected) {
    const shrink = (m - d - 2) / (m - 1);
    trace *= shrink;
    quadratic = quadratic * shrink - trace / n - d / m;
  }
  const ldP = logDetCovariance(scatterP, d, n, biasCorrected);
  const ldQ = logDetCovariance(scatterQ, d, m, biasCorrected);
  return 0.5 * (trace + quadratic - d + ldQ - ldP);
}
