import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import { parameter, type Parameter } from './layer';
import type { WeightParametrisation } from './weight';

/**
 * W = U·diag(s)·Vᵀ with U (rows×r) and V (cols×r) fixed matrices with orthonormal columns and only the r
 * singular values s learned (r = min(rows, cols)); the parametrisation of the replica learning experiment.
 * Forward: W = (U·diag(s))·Vᵀ, one dense product. Backward: ∂L/∂s_k = Σ_ij U_ik (∂L/∂W)_ij V_jk = diag(Uᵀ G V),
 * one dense product T = G·V and a column-wise dot with U.
 */
export class SpectralWeight implements WeightParametrisation {
  readonly kind = 'spectral';
  readonly rank: number;
  readonly singularValues: Parameter;
  private readonly scaled: Float32Array;
  private readonly grad: Float32Array;

  /**
   * @param u rows×r, orthonormal columns (row-major)
   * @param v cols×r, orthonormal columns (row-major)
   * @param s initial singular values (length r)
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly u: Float32Array,
    readonly v: Float32Array,
    s: Float32Array,
  ) {
    this.rank = Math.min(rows, cols);
    if (u.length !== rows * this.rank)
      throw new ArgumentError('SpectralWeight: U', `${rows}×${this.rank} values`, u.length);
    if (v.length !== cols * this.rank)
      throw new ArgumentError('SpectralWeight: V', `${cols}×${this.rank} values`, v.length);
    this.singularValues = parameter('singular-values', [this.rank], Float32Array.from(s));
    this.scaled = new Float32Array(rows * this.rank);
    this.grad = new Float32Array(rows * cols);
  }

  /** U and V Haar-random (QR of Gaussian matrices with the sign convention diag(R) > 0), s given. */
  static random(rows: number, cols: number, s: Float32Array, random: RandomStream): SpectralWeight {
    const r = Math.min(rows, cols);
    return new SpectralWeight(
      rows,
      cols,
      randomOrthonormalColumns(rows, r, random.split('U')),
      randomOrthonormalColumns(cols, r, random.split('V')),
      s,
    );
  }

  parameters(): readonly Parameter[] {
    return [this.singularValues];
  }

  async weight(kernels: KernelBackend): Promise<Float32Array> {
    const { rows, cols, rank: r, u, scaled } = this;
    const s = this.singularValues.value;
    for (let i = 0; i < rows; i++) for (let k = 0; k < r; k++) scaled[i * r + k] = u[i * r + k]! * s[k]!;
    return kernels.matmul(scaled, this.v, rows, r, cols, { transposeB: true });
  }

  gradientBuffer(): Float32Array {
    return this.grad;
  }

  async backward(kernels: KernelBackend): Promise<void> {
    const { rows, cols, rank: r, u } = this;
    const t = await kernels.matmul(this.grad, this.v, rows, cols, r);
    const gs = this.singularValues.grad;
    for (let k = 0; k < r; k++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += u[i * r + k]! * t[i * r + k]!;
      gs[k] = sum;
    }
  }
}

/**
 * An n×r matrix (row-major) with orthonormal columns, Haar-distributed: modified Gram–Schmidt in float64 on a
 * Gaussian n×r matrix, which equals the Q of its QR decomposition with positive diagonal R (Mezzadri 2007).
 */
export function randomOrthonormalColumns(n: number, r: number, random: RandomStream): Float32Array {
  if (!(Number.isInteger(n) && Number.isInteger(r) && r >= 1 && r <= n))
    throw new ArgumentError('randomOrthonormalColumns', 'integers 1 ≤ r ≤ n', { n, r });
  const q = new Float64Array(n * r);
  for (let i = 0; i < q.length; i++) q[i] = random.normal();
  for (let k = 0; k < r; k++) {
    for (let pass = 0; pass < 2; pass++) {
      // Twice (re-orthogonalisation) so the columns are orthonormal to float64 precision.
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
  return Float32Array.from(q);
}
