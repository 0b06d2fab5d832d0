import { ArgumentError, type NumericArray } from '@entroscope/core';

/**
 * Discrete samples cut into non-overlapping blocks of consecutive symbols, each block encoded as an integer
 * pattern id (base-m digits, m = alphabet size). Rows are independent samples (e.g. spin configurations);
 * blocks within a row may be correlated, which is why bootstrap resamples whole rows.
 */
export interface BlockPatterns {
  readonly rows: number;
  readonly blocksPerRow: number;
  readonly blockLength: number;
  /** Number of distinct patterns possible: alphabet^blockLength. */
  readonly patternCount: number;
  /** rows × blocksPerRow pattern ids, row-major. */
  readonly ids: Uint32Array;
}

/** Sorted distinct values of one or more discrete data arrays: the shared alphabet. */
export function alphabetOf(...arrays: NumericArray[]): number[] {
  const seen = new Set<number>();
  for (const data of arrays) for (let i = 0; i < data.length; i++) seen.add(data[i]!);
  return [...seen].sort((a, b) => a - b);
}

/** Largest pattern table the estimators will allocate (2^24 bins). */
export const MAX_PATTERNS = 1 << 24;

/**
 * Cuts `data` (rows × length, row-major) into blocks of `blockLength` and encodes them over `alphabet`.
 */
export function blockPatterns(
  data: NumericArray,
  rows: number,
  length: number,
  blockLength: number,
  alphabet: readonly number[],
): BlockPatterns {
  if (!Number.isInteger(blockLength) || blockLength < 1 || blockLength > length) {
    throw new ArgumentError('blockPatterns', `a block length in [1, ${length}]`, blockLength);
  }
  if (data.length !== rows * length)
    throw new ArgumentError('blockPatterns', `${rows}×${length} = ${rows * length} values`, data.length);
  const m = Math.max(alphabet.length, 1);
  const patternCount = m ** blockLength;
  if (patternCount > MAX_PATTERNS)
    throw new ArgumentError('blockPatterns', `alphabet^blockLength ≤ 2^24`, `${m}^${blockLength}`);
  const symbol = new Map<number, number>(alphabet.map((v, i) => [v, i]));
  const blocksPerRow = Math.floor(length / blockLength);
  const ids = new Uint32Array(rows * blocksPerRow);
  for (let r = 0; r < rows; r++) {
    const rowBase = r * length;
    for (let b = 0; b < blocksPerRow; b++) {
      let id = 0;
      const start = rowBase + b * blockLength;
      for (let j = 0; j < blockLength; j++) id = id * m + symbol.get(data[start + j]!)!;
      ids[r * blocksPerRow + b] = id;
    }
  }
  return { rows, blocksPerRow, blockLength, patternCount, ids };
}

/** Pattern counts over the selected rows (all rows when `rowSelection` is omitted). */
export function patternCounts(
  patterns: BlockPatterns,
  rowSelection?: ArrayLike<number>,
): { counts: Float64Array; total: number } {
  const counts = new Float64Array(patterns.patternCount);
  const { blocksPerRow, ids } = patterns;
  const rows = rowSelection ?? { length: patterns.rows };
  for (let k = 0; k < rows.length; k++) {
    const r = rowSelection ? rowSelection[k]! : k;
    const base = r * blocksPerRow;
    for (let b = 0; b < blocksPerRow; b++) counts[ids[base + b]!]!++;
  }
  return { counts, total: rows.length * blocksPerRow };
}
