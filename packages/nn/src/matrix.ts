import { ArgumentError } from '@entroscope/core';

/**
 * A batch of row vectors: `rows` examples × `cols` features, row-major float32 (the layout of every dense
 * kernel). Layers read `data` and never keep a reference to an input they did not create unless they need it
 * for the backward pass.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A Matrix view of `data` (no copy); throws when the length is not rows·cols. */
export function matrix(rows: number, cols: number, data: Float32Array = new Float32Array(rows * cols)): Matrix {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0)
    throw new ArgumentError('matrix: shape', 'non-negative integers rows, cols', { rows, cols });
  if (data.length !== rows * cols)
    throw new ArgumentError('matrix: data', `${rows}·${cols} = ${rows * cols} elements`, `${data.length} elements`);
  return { rows, cols, data };
}

/** Throws unless `m` has `cols` columns (and, when given, `rows` rows). */
export function checkMatrix(where: string, m: Matrix, cols: number, rows?: number): void {
  if (m.cols !== cols || (rows !== undefined && m.rows !== rows) || m.data.length !== m.rows * m.cols) {
    throw new ArgumentError(
      where,
      `a ${rows ?? 'batch'}×${cols} matrix`,
      `${m.rows}×${m.cols} with ${m.data.length} elements`,
    );
  }
}

/** Rows `indices` of the row-major n×cols array `source`, gathered into one |indices|×cols matrix. */
export function gatherRows(source: Float32Array, cols: number, indices: ArrayLike<number>, out?: Float32Array): Matrix {
  const data = out && out.length === indices.length * cols ? out : new Float32Array(indices.length * cols);
  const n = source.length / cols;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!(i >= 0 && i < n)) throw new ArgumentError('gatherRows: index', `an integer in [0, ${n})`, i);
    data.set(source.subarray(i * cols, (i + 1) * cols), r * cols);
  }
  return { rows: indices.length, cols, data };
}
