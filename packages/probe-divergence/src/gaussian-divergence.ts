import { ArgumentError } from '@entroscope/core';

/** Cholesky factor L (row-major, lower) of a symmetric positive-definite d × d matrix. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new ArgumentError('cholesky', 'a positive-definite covariance', `pivot ${s} at ${i}`);
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  return l;
}

function logDetFromCholesky(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]!);
  return 2 * s;
}

/** Solves L y = b in place (forward substitution). */
function forward(l: Float64Array, d: number, b: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * b[k]!;
    b[i] = s / l[i * d + i]!;
  }
  return b;
}

/**
 * KL(N₀‖N₁) = ½[tr(Σ₁⁻¹Σ₀) + (μ₁−μ₀)ᵀΣ₁⁻¹(μ₁−μ₀) − d + ln det Σ₁ − ln det Σ₀], nats (docs/estimators.md, gaussian),
 * via Cholesky factors (never det()). tr(Σ₁⁻¹Σ₀) = ‖L₁⁻¹L₀‖²_F.
 */
export function gaussianDivergence(
  mean0: Float64Array,
  cov0: Float64Array,
  mean1: Float64Array,
  cov1: Float64Array,
  d: number,
): number {
  const l0 = cholesky(cov0, d);
  const l1 = cholesky(cov1, d);
  let trace = 0;
  const column = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) column[i] = l0[i * d + j]!;
    forward(l1, d, column);
    for (let i = 0; i < d; i++) trace += column[i]! * column[i]!;
  }
  const diff = new Float64Array(d);
  for (let i = 0; i < d; i++) diff[i] = mean1[i]! - mean0[i]!;
  forward(l1, d, diff);
  let mahalanobis = 0;
  for (let i = 0; i < d; i++) mahalanobis += diff[i]! * diff[i]!;
  return 0.5 * (trace + mahalanobis - d + logDetFromCholesky(l1, d) - logDetFromCholesky(l0, d));
}
