import { ArgumentError } from '@entroscope/core';

/**
 * n samples of a d-dimensional variable, row-major (sample i occupies values[i·d … i·d + d − 1]). The unit of
 * resampling is the row: rows must be independent draws (configurations, networks, input patterns), or the caller
 * says otherwise (a block length for a correlated sequence).
 */
export interface SampleMatrix {
  readonly values: ArrayLike<number>;
  readonly n: number;
  readonly d: number;
}

export function sampleMatrix(values: ArrayLike<number>, n: number, d: number, what = 'samples'): SampleMatrix {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${what}: rows`, 'an integer ≥ 1', n);
  if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`${what}: columns`, 'an integer ≥ 1', d);
  if (values.length !== n * d) throw new ArgumentError(`${what}: values`, `${n}×${d} = ${n * d} values`, values.length);
  return { values, n, d };
}

/** The rows `selection` of `m` (all rows when omitted) as a new float64 matrix. */
export function selectRows(m: SampleMatrix, selection?: ArrayLike<number>): Float64Array {
  if (!selection) return Float64Array.from(m.values as ArrayLike<number>);
  const out = new Float64Array(selection.length * m.d);
  for (let k = 0; k < selection.length; k++) {
    const base = selection[k]! * m.d;
    for (let j = 0; j < m.d; j++) out[k * m.d + j] = m.values[base + j]!;
  }
  return out;
}

/** Columns side by side: row i of the result is (a_i, b_i, …). */
export function concatColumns(...parts: { values: ArrayLike<number>; d: number }[]): Float64Array {
  const n = parts[0]!.values.length / parts[0]!.d;
  const D = parts.reduce((a, p) => a + p.d, 0);
  const out = new Float64Array(n * D);
  let offset = 0;
  for (const p of parts) {
    for (let i = 0; i < n; i++) for (let j = 0; j < p.d; j++) out[i * D + offset + j] = p.values[i * p.d + j]!;
    offset += p.d;
  }
  return out;
}

/** Each column scaled to zero mean and unit standard deviation (constant columns are only centred). In place. */
export function standardiseColumns(values: Float64Array, n: number, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i * d + j]!;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (values[i * d + j]! - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n - 1));
    const inv = sd > 0 ? 1 / sd : 1;
    for (let i = 0; i < n; i++) values[i * d + j] = (values[i * d + j]! - mean) * inv;
  }
  return values;
}
