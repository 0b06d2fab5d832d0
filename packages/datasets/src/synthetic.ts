import { ArgumentError, type RandomStream } from '@entroscope/core';

/**
 * Synthetic inputs, row-major [count, dimension] float32. Every generator takes the caller's RandomStream (no
 * ambient randomness) and is deterministic for a given stream.
 */

/** i.i.d. N(mean, sd²) components. */
export function gaussianInputs(
  count: number,
  dimension: number,
  random: RandomStream,
  options: { mean?: number; sd?: number } = {},
): Float32Array {
  check('gaussianInputs', count, dimension);
  return random.fillNormal(new Float32Array(count * dimension), options.mean ?? 0, options.sd ?? 1);
}

/** i.i.d. uniform components on [lo, hi). */
export function uniformInputs(
  count: number,
  dimension: number,
  random: RandomStream,
  options: { lo?: number; hi?: number } = {},
): Float32Array {
  check('uniformInputs', count, dimension);
  const lo = options.lo ?? 0;
  const hi = options.hi ?? 1;
  const out = random.fillUniform(new Float32Array(count * dimension));
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * out[i]!;
  return out;
}

/**
 * `count` inputs whose empirical second moments are set exactly: every row has ‖x‖²/dimension = meanSquare and
 * every pair of rows has x_a·x_b/dimension = correlation·meanSquare (uniform correlation, the Gram matrix
 * meanSquare·dimension·[(1 − c)I + c11ᵀ]). Built from Gaussian rows by Gram–Schmidt (orthonormal directions
 * e_0…e_count) as x_a = √(meanSquare·dimension)·(√c e_0 + √(1 − c) e_{a+1}); needs dimension > count and
 * 0 ≤ c ≤ 1. With count = 2 these are exact input pairs for the two-input (correlation-map) probes.
 */
export function equicorrelatedInputs(
  count: number,
  dimension: number,
  correlation: number,
  random: RandomStream,
  meanSquare = 1,
): Float32Array {
  check('equicorrelatedInputs', count, dimension);
  if (dimension <= count)
    throw new ArgumentError('equicorrelatedInputs: dimension', `more than count = ${count}`, dimension);
  if (!(correlation >= 0 && correlation <= 1))
    throw new ArgumentError('equicorrelatedInputs: correlation', 'a number in [0, 1]', correlation);
  if (!(meanSquare > 0)) throw new ArgumentError('equicorrelatedInputs: meanSquare', 'a number > 0', meanSquare);
  const basis = orthonormalRows(count + 1, dimension, random);
  const scale = Math.sqrt(meanSquare * dimension);
  const a = Math.sqrt(correlation);
  const b = Math.sqrt(1 - correlation);
  const out = new Float32Array(count * dimension);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < dimension; j++)
      out[r * dimension + j] = scale * (a * basis[j]! + b * basis[(r + 1) * dimension + j]!);
  }
  return out;
}

/**
 * `pairs` independent input pairs (rows 2k, 2k+1), each with ‖x‖²/dimension = meanSquare exactly and pair
 * correlation exactly `correlation` ∈ [−1, 1]; different pairs are independent random directions.
 */
export function correlatedPairs(
  pairs: number,
  dimension: number,
  correlation: number,
  random: RandomStream,
  meanSquare = 1,
): Float32Array {
  check('correlatedPairs', pairs, dimension);
  if (dimension < 2) throw new ArgumentError('correlatedPairs: dimension', 'at least 2', dimension);
  if (!(correlation >= -1 && correlation <= 1))
    throw new ArgumentError('correlatedPairs: correlation', 'a number in [−1, 1]', correlation);
  const out = new Float32Array(2 * pairs * dimension);
  const scale = Math.sqrt(meanSquare * dimension);
  const s = Math.sqrt(Math.max(0, 1 - correlation * correlation));
  for (let p = 0; p < pairs; p++) {
    const basis = orthonormalRows(2, dimension, random.split(`pair:${p}`));
    for (let j = 0; j < dimension; j++) {
      out[2 * p * dimension + j] = scale * basis[j]!;
      out[(2 * p + 1) * dimension + j] = scale * (correlation * basis[j]! + s * basis[dimension + j]!);
    }
  }
  return out;
}

/** `rows` orthonormal rows in R^dimension (Gaussian rows, modified Gram–Schmidt in float64). */
function orthonormalRows(rows: number, dimension: number, random: RandomStream): Float64Array {
  const basis = random.fillNormal(new Float64Array(rows * dimension));
  for (let r = 0; r < rows; r++) {
    const row = basis.subarray(r * dimension, (r + 1) * dimension);
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s < r; s++) {
        const prev = basis.subarray(s * dimension, (s + 1) * dimension);
        let dot = 0;
        for (let j = 0; j < dimension; j++) dot += row[j]! * prev[j]!;
        for (let j = 0; j < dimension; j++) row[j]! -= dot * prev[j]!;
      }
    }
    let norm = 0;
    for (let j = 0; j < dimension; j++) norm += row[j]! * row[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dimension; j++) row[j]! /= norm;
  }
  return basis;
}

function check(where: string, count: number, dimension: number): void {
  if (!Number.isInteger(count) || count < 1) throw new ArgumentError(`${where}: count`, 'an integer ≥ 1', count);
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new ArgumentError(`${where}: dimension`, 'an integer ≥ 1', dimension);
}
