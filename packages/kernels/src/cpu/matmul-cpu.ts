import { ArgumentError } from '@entroscope/core';
import type { MatmulOptions } from '../kernel-names';
import { activationScalar } from './activation-cpu';

/**
 * Dense product with bias and fused activation, the reference semantics of the `matmul` kernel:
 *
 *   C = φ(op(A) · op(B) + bias),   C is m×n row-major,
 *
 * where op(A) is the m×k matrix A (stored m×k) or, with `transposeA`, Aᵀ of A stored k×m; op(B) is the k×n
 * matrix B (stored k×n) or, with `transposeB`, Bᵀ of B stored n×k. `bias` (length n) is added to every row.
 * Sums run over p = 0…k−1 in float64 and each entry is rounded to float32 once, after φ; k = 0 gives φ(bias).
 * Synchronous and allocation-light (one float64 row); about 1 GFLOP/s — use `kernelsFor(handle).matmul` for
 * speed (docs/kernels.md).
 */
export function matmulCpu(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions = {},
): Float32Array {
  checkMatmul('matmulCpu', a, b, m, k, n, options);
  const { transposeA = false, transposeB = false, bias, activation = 'identity' } = options;
  const out = options.out ?? new Float32Array(m * n);
  const phi = activationScalar(activation);
  // Bring both operands to row-major op(A) (m×k) and op(B) (k×n) so the inner loop is contiguous.
  const left = transposeA ? transpose(a, k, m) : a;
  const right = transposeB ? transpose(b, n, k) : b;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (bias) for (let j = 0; j < n; j++) row[j] = bias[j]!;
    else row.fill(0);
    const aBase = i * k;
    for (let p = 0; p < k; p++) {
      const aip = left[aBase + p]!;
      const bBase = p * n;
      for (let j = 0; j < n; j++) row[j] += aip * right[bBase + j]!;
    }
    const cBase = i * n;
    if (activation === 'identity') for (let j = 0; j < n; j++) out[cBase + j] = row[j]!;
    else for (let j = 0; j < n; j++) out[cBase + j] = phi(row[j]!);
  }
  return out;
}

/** Transpose of a rows×cols row-major matrix (cols×rows). */
export function transpose(x: Float32Array, rows: number, cols: number, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(rows * cols);
  const block = 32;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) y[j * rows + i] = x[i * cols + j]!;
    }
  }
  return y;
}

/** Shared argument checks of every matmul implementation. */
export function checkMatmul(
  where: string,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions,
): void {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ArgumentError(`${where}: ${name}`, 'a non-negative integer', v);
  }
  if (!(a instanceof Float32Array))
    throw new ArgumentError(`${where}: a`, 'a Float32Array', Object.prototype.toString.call(a));
  if (!(b instanceof Float32Array))
    throw new ArgumentError(`${where}: b`, 'a Float32Array', Object.prototype.toString.call(b));
  if (a.length !== m * k)
    throw new ArgumentError(
      `${where}: a`,
      `${m * k} elements (${options.transposeA ? `${k}×${m}, transposed` : `${m}×${k}`})`,
      `${a.length} elements`,
    );
  if (b.length !== k * n)
    throw new ArgumentError(
      `${where}: b`,
      `${k * n} elements (${options.transposeB ? `${n}×${k}, transposed` : `${k}×${n}`})`,
      `${b.length} elements`,
    );
  if (options.bias !== undefined && options.bias.length !== n)
    throw new ArgumentError(`${where}: bias`, `a Float32Array of n = ${n} elements`, `${options.bias.length} elements`);
  if (options.out !== undefined && options.out.length !== m * n)
    throw new ArgumentError(
      `${where}: out`,
      `a Float32Array of m·n = ${m * n} elements`,
      `${options.out.length} elements`,
    );
}
