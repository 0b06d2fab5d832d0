import { ArgumentError, type RandomStream, type SeparablePrior } from '@entroscope/core';
import { symmetricEigenvalues } from '@entroscope/estimators';

/**
 * An n×r matrix (row-major, float64) with orthonormal columns, Haar-distributed on the Stiefel manifold: modified
 * Gram–Schmidt, run twice per column, of an n×r standard Gaussian matrix. This equals the Q of the QR decomposition
 * with positive diagonal R, which is Haar (Mezzadri, Notices AMS 54, 592 (2007)). Kept in float64 (packages/nn's
 * `randomOrthonormalColumns` returns float32) so that UᵀU = I holds to ~1e-15 and the published spectrum of
 * W = U·diag(s)·Vᵀ is exactly s² to float64 rounding.
 */
export function haarOrthonormalColumns(n: number, r: number, random: RandomStream): Float64Array {
  if (!(Number.isInteger(n) && Number.isInteger(r) && r >= 1 && r <= n))
    throw new ArgumentError('haarOrthonormalColumns', 'integers 1 ≤ r ≤ n', { n, r });
  const q = new Float64Array(n * r);
  for (let i = 0; i < q.length; i++) q[i] = random.normal();
  for (let k = 0; k < r; k++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * r + j]! * q[i * r + k]!;
        for (let i = 0; i < n; i++) q[i * r + k]! -= dot * q[i * r + j]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * r + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * r + k]! /= norm;
  }
  return q;
}

/** W = U·diag(s)·Vᵀ (rows×cols, row-major, float64) from U (rows×r), V (cols×r) and s (length r). */
export function usvProduct(
  rows: number,
  cols: number,
  u: Float64Array,
  v: Float64Array,
  s: ArrayLike<number>,
): Float64Array {
  const r = Math.min(rows, cols);
  const w = new Float64Array(rows * cols);
  const us = new Float64Array(r);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < r; k++) us[k] = u[i * r + k]! * s[k]!;
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += us[k]! * v[j * r + k]!;
      w[base + j] = sum;
    }
  }
  return w;
}

/**
 * The n_{ℓ−1} eigenvalues of WᵀW for W = U·diag(s)·Vᵀ with orthonormal U, V: s_k² for k < r = min(rows, cols), then
 * cols − r zeros (the kernel of W when it is wide). This is the `spectrum` of an 'orthogonally-invariant' ensemble.
 */
export function usvSpectrum(cols: number, s: ArrayLike<number>): Float64Array {
  const out = new Float64Array(cols);
  for (let k = 0; k < s.length; k++) out[k] = s[k]! ** 2;
  return out;
}

/**
 * Singular values of an n_out×n_in matrix with i.i.d. N(0, variance/n_in) entries (so the spectrum of WᵀW follows
 * Marchenko–Pastur for large sizes, as the Gaussian layers of the replica formula): the square roots of the
 * eigenvalues of the r×r Gram matrix of a drawn matrix (cyclic Jacobi, float64). O(r³) per sweep: fine for r ≤ a
 * few hundred.
 */
export function gaussianSingularValues(
  rows: number,
  cols: number,
  variance: number,
  random: RandomStream,
): Float64Array {
  const g = new Float64Array(rows * cols);
  const sd = Math.sqrt(variance / cols);
  for (let i = 0; i < g.length; i++) g[i] = sd * random.normal();
  const r = Math.min(rows, cols);
  const gram = new Float64Array(r * r);
  if (rows <= cols) {
    // G Gᵀ (rows×rows)
    for (let a = 0; a < rows; a++)
      for (let b = a; b < rows; b++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += g[a * cols + j]! * g[b * cols + j]!;
        gram[a * r + b] = gram[b * r + a] = sum;
      }
  } else {
    // Gᵀ G (cols×cols)
    for (let a = 0; a < cols; a++)
      for (let b = a; b < cols; b++) {
        let sum = 0;
        for (let i = 0; i < rows; i++) sum += g[i * cols + a]! * g[i * cols + b]!;
        gram[a * r + b] = gram[b * r + a] = sum;
      }
  }
  const eig = symmetricEigenvalues(gram, r);
  return Float64Array.from(eig, (e) => Math.sqrt(Math.max(0, e)))
    .sort()
    .reverse();
}

/** n × d samples of a separable prior (row-major float64). */
export function samplePrior(prior: SeparablePrior, rows: number, d: number, random: RandomStream): Float64Array {
  const x = new Float64Array(rows * d);
  for (let i = 0; i < x.length; i++) {
    if (prior.kind === 'normal') x[i] = prior.mean + Math.sqrt(prior.variance) * random.normal();
    else if (prior.kind === 'bimodal') x[i] = random.uniform() < prior.pPlus ? 1 : -1;
    else x[i] = random.uniform() < prior.density ? prior.mean + Math.sqrt(prior.variance) * random.normal() : 0;
  }
  return x;
}

/** Second moment E x² of a separable prior. */
export function priorSecondMoment(prior: SeparablePrior): number {
  if (prior.kind === 'normal') return prior.mean ** 2 + prior.variance;
  if (prior.kind === 'bimodal') return 1;
  return prior.density * (prior.mean ** 2 + prior.variance);
}

export type Channel = 'linear' | 'relu' | 'probit';

/**
 * z = x·Wᵀ for a batch x (rows×cols_in) and W (out×in), float64 loops (the observed network is evaluated in float64
 * so that it is exactly the network of the published `weights`).
 */
export function preActivations(x: Float64Array, rows: number, w: Float64Array, out: number, inp: number): Float64Array {
  const z = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xb = r * inp;
    for (let i = 0; i < out; i++) {
      const wb = i * inp;
      let sum = 0;
      for (let j = 0; j < inp; j++) sum += w[wb + j]! * x[xb + j]!;
      z[r * out + i] = sum;
    }
  }
  return z;
}

/**
 * The noisy channel h = P(h | z), componentwise, ξ ~ N(0, 1): linear h = z + √Δ ξ; relu h = max(0, z) + √Δ ξ;
 * probit h = sign(z + √Δ ξ) (sign(0) = +1). With `random` null the noiseless channel (Δ ignored): z, max(0, z),
 * sign(z).
 */
export function applyChannel(
  z: Float64Array,
  channel: Channel,
  noiseVariance: number,
  random: RandomStream | null,
): Float64Array {
  const h = new Float64Array(z.length);
  const sd = Math.sqrt(noiseVariance);
  for (let i = 0; i < z.length; i++) {
    const xi = random && sd > 0 ? sd * random.normal() : 0;
    const v = z[i]!;
    if (channel === 'linear') h[i] = v + xi;
    else if (channel === 'relu') h[i] = (v > 0 ? v : 0) + xi;
    else h[i] = v + xi >= 0 ? 1 : -1;
  }
  return h;
}
