import { ArgumentError } from '@entroscope/core';
import type { SampleMatrix } from './sample-matrix';
import { symmetricEigenvalues } from './symmetric-eigenvalues';

/**
 * Matrix-based entropy of a batch (Sánchez Giraldo, Rao & Príncipe, IEEE Trans. Inf. Theory 61, 535 (2015)): the
 * rows x_1…x_n give a positive semi-definite Gram matrix K_ij = κ(x_i, x_j) with κ(x, x) = 1; A = K/n has trace 1
 * and eigenvalues λ ≥ 0 summing to 1, and
 *   S_α(A) = ln(Σ λ^α)/(1 − α),  S_1(A) = −Σ λ ln λ (von Neumann),
 * in nats, between 0 (all rows the same direction) and ln n (orthogonal rows). Kernels: `cosine` (rows scaled to unit
 * length, linear kernel: the trace-normalised Gram matrix of the batch), `gaussian` exp(−‖x_i − x_j‖²/(2σ²)).
 * `centre: 'row'` subtracts each row's mean over its entries first (YanickT/Reconstructor's `gram_neumann_entropy`);
 * a zero row gets the direction 1/√d (as Reconstructor's nan guard does). It is a functional of the batch, not an
 * estimate of the Shannon entropy of the distribution of x; its value depends on n (ceiling ln n).
 */
export interface MatrixEntropyOptions {
  readonly kernel: 'cosine' | 'gaussian';
  /** Bandwidth σ of the Gaussian kernel. */
  readonly bandwidth: number;
  readonly centre: 'row' | 'none';
  /** Rényi order α > 0 (1: von Neumann). */
  readonly alpha: number;
}

/** The trace-normalised Gram matrix A = K/n of the selected rows (all when omitted), n×n row-major. */
export function normalisedGram(x: SampleMatrix, options: MatrixEntropyOptions, selection?: ArrayLike<number>) {
  const n = selection ? selection.length : x.n;
  const d = x.d;
  const rows = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const base = (selection ? selection[r]! : r) * d;
    let mean = 0;
    if (options.centre === 'row') for (let j = 0; j < d; j++) mean += x.values[base + j]! / d;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = x.values[base + j]! - mean;
      rows[r * d + j] = v;
      norm += v * v;
    }
    if (options.kernel === 'cosine') {
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < d; j++) rows[r * d + j] = norm > 0 ? rows[r * d + j]! * inv : 1 / Math.sqrt(d);
    }
  }
  const gram = new Float64Array(n * n);
  const scale = -1 / (2 * options.bandwidth * options.bandwidth);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      if (options.kernel === 'cosine') for (let j = 0; j < d; j++) s += rows[a * d + j]! * rows[b * d + j]!;
      else {
        for (let j = 0; j < d; j++) {
          const t = rows[a * d + j]! - rows[b * d + j]!;
          s += t * t;
        }
        s = Math.exp(scale * s);
      }
      gram[a * n + b] = s / n;
      gram[b * n + a] = s / n;
    }
  }
  return { gram, n };
}

/** S_α of the trace-normalised Gram matrix of the rows (nats). */
export function matrixEntropy(x: SampleMatrix, options: MatrixEntropyOptions, selection?: ArrayLike<number>): number {
  if (!(options.alpha > 0)) throw new ArgumentError('matrix entropy: alpha', 'a Rényi order > 0', options.alpha);
  const { gram, n } = normalisedGram(x, options, selection);
  if (n < 2) throw new ArgumentError('matrix entropy: rows', 'at least 2', n);
  const eigenvalues = symmetricEigenvalues(gram, n);
  if (Math.abs(options.alpha - 1) < 1e-12) {
    let s = 0;
    for (const l of eigenvalues) if (l > 0) s -= l * Math.log(l);
    return s;
  }
  let sum = 0;
  for (const l of eigenvalues) if (l > 0) sum += l ** options.alpha;
  return Math.log(sum) / (1 - options.alpha);
}
