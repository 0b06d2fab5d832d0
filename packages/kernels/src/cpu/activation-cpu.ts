import { ArgumentError } from '@entroscope/core';
import type { Activation, FloatArray } from '../kernel-names';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function erf(x) in float64. |x| < 0.5: Maclaurin series to 1e-17; otherwise 1 − erfc(|x|) with the
 * Chebyshev-fitted erfc of Numerical Recipes (Press et al. 1992, §6.2), fractional error < 1.2e-7 in erfc, so
 * |erf error| < 6e-8 there — below float32 resolution of erf (all kernels store float32).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 0.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 12; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** φ(x) in float64 for one activation. */
export function activationScalar(name: Activation): (x: number) => number {
  switch (name) {
    case 'identity':
      return (x) => x;
    case 'tanh':
      return Math.tanh;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'sigmoid':
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'erf':
      return erf;
    default:
      throw new ArgumentError('activation', "one of 'identity', 'tanh', 'relu', 'sigmoid', 'erf'", name);
  }
}

/** φ'(x) in float64, as a function of the pre-activation x. ReLU'(0) = 0 (the subgradient PyTorch uses). */
export function activationDerivativeScalar(name: Activation): (x: number) => number {
  switch (name) {
    case 'identity':
      return () => 1;
    case 'tanh':
      return (x) => {
        const t = Math.tanh(x);
        return 1 - t * t;
      };
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'sigmoid':
      return (x) => {
        const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        return s * (1 - s);
      };
    case 'erf':
      return (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x);
    default:
      throw new ArgumentError('activationDerivative', "one of 'identity', 'tanh', 'relu', 'sigmoid', 'erf'", name);
  }
}

/** y = φ(x) element-wise (float64 evaluation, float32 storage). `out` may alias `x` when both are Float32Array. */
export function activationCpu(name: Activation, x: FloatArray, out?: Float32Array): Float32Array {
  const f = activationScalar(name);
  const y = checkOut('activationCpu', x.length, out);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
  return y;
}

/** y = φ'(x) element-wise, x the pre-activation. */
export function activationDerivativeCpu(name: Activation, x: FloatArray, out?: Float32Array): Float32Array {
  const f = activationDerivativeScalar(name);
  const y = checkOut('activationDerivativeCpu', x.length, out);
  for (let i = 0; i < x.length; i++) y[i] = f(x[i]!);
  return y;
}

/**
 * Row-wise softmax of a rows×cols matrix: y_ij = exp(x_ij − max_j x_ij) / Σ_j exp(x_ij − max_j x_ij)
 * (max subtracted for range safety; float64 sums). A row of −∞ only gives NaN, as in numpy/scipy.
 */
export function softmaxCpu(x: FloatArray, rows: number, cols: number, out?: Float32Array): Float32Array {
  checkShape('softmaxCpu', x.length, rows, cols);
  const y = checkOut('softmaxCpu', x.length, out);
  const row = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[base + j]! > max) max = x[base + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[base + j]! - max);
      row[j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) y[base + j] = row[j]! / sum;
  }
  return y;
}

/**
 * Vector–Jacobian product of the row-wise softmax: given y = softmax(x) and an upstream gradient g,
 * returns dx_ij = y_ij (g_ij − Σ_l g_il y_il).
 */
export function softmaxBackwardCpu(
  y: FloatArray,
  g: FloatArray,
  rows: number,
  cols: number,
  out?: Float32Array,
): Float32Array {
  checkShape('softmaxBackwardCpu', y.length, rows, cols);
  checkShape('softmaxBackwardCpu (gradient)', g.length, rows, cols);
  const dx = checkOut('softmaxBackwardCpu', y.length, out);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += g[base + j]! * y[base + j]!;
    for (let j = 0; j < cols; j++) dx[base + j] = y[base + j]! * (g[base + j]! - dot);
  }
  return dx;
}

export function checkShape(where: string, length: number, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ArgumentError(where, 'rows and cols non-negative integers', { rows, cols });
  }
  if (length !== rows * cols)
    throw new ArgumentError(where, `an array of rows·cols = ${rows * cols} elements`, `${length} elements`);
}

export function checkOut(where: string, length: number, out?: Float32Array): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length)
    throw new ArgumentError(`${where}: out`, `a Float32Array of ${length} elements`, `${out.length} elements`);
  return out;
}
