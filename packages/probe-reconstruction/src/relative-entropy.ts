import { ArgumentError } from '@entroscope/core';

/** Offset added to every min-shifted component (Thurn, Jefferson, Erdmenger 2024, code: `off = 1e-12`). */
export const RECONSTRUCTION_EPSILON = 1e-12;

/** ½ ln(2πe): the differential entropy of a unit Gaussian minus ln σ. */
export const HALF_LOG_TWO_PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);

type Vector = ArrayLike<number>;

/**
 * The distribution an image vector v is turned into before comparison:
 *   P_v(i) = (v_i − min_j v_j + ε) / Σ_k (v_k − min_j v_j + ε),
 * each vector shifted and normalised on its own (a constant vector maps to the uniform distribution). Reads
 * `values[offset … offset + length)` and writes into a fresh Float64Array: the input is never modified (the
 * authors' code shifts its arguments in place; see docs/cascade.md).
 */
export function minShiftDistribution(
  values: Vector,
  offset = 0,
  length = values.length - offset,
  epsilon = RECONSTRUCTION_EPSILON,
): Float64Array {
  if (!(length > 0)) throw new ArgumentError('minShiftDistribution: length', 'a vector length ≥ 1', length);
  let min = Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[offset + i]!;
    if (!Number.isFinite(v)) throw new ArgumentError(`minShiftDistribution: component ${i}`, 'a finite number', v);
    if (v < min) min = v;
  }
  const out = new Float64Array(length);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const p = values[offset + i]! - min + epsilon;
    out[i] = p;
    sum += p;
  }
  for (let i = 0; i < length; i++) out[i]! /= sum;
  return out;
}

/** Σ_i p_i ln(p_i / q_i) for two strictly positive distributions of equal length (nats). */
export function discreteRelativeEntropy(p: Float64Array, q: Float64Array): number {
  if (p.length !== q.length)
    throw new ArgumentError('discreteRelativeEntropy: lengths', `equal lengths (p has ${p.length})`, q.length);
  let d = 0;
  for (let i = 0; i < p.length; i++) d += p[i]! * Math.log(p[i]! / q[i]!);
  return d;
}

/**
 * Per-image relative entropy of the cascade paper, D(P_x ‖ P_y) with P the min-shift distribution above, for
 * one pair of vectors (nats). `x` is the original, `y` its reconstruction for the paper's direction.
 * Properties (tested): D(x, x) = 0; invariant up to O(ε) under v → a v + b with a > 0 applied to either
 * argument, not for a < 0; a constant y gives ln n − H(P_x).
 */
export function minShiftRelativeEntropy(x: Vector, y: Vector, epsilon = RECONSTRUCTION_EPSILON): number {
  if (x.length !== y.length)
    throw new ArgumentError('minShiftRelativeEntropy: lengths', `equal lengths (x has ${x.length})`, y.length);
  return discreteRelativeEntropy(
    minShiftDistribution(x, 0, x.length, epsilon),
    minShiftDistribution(y, 0, y.length, epsilon),
  );
}

/**
 * Differential entropy of a batch of images under an independent-Gaussian-per-pixel model, as the authors'
 * `diff_entropy` computes it: each row is first turned into its min-shift distribution P (what the code's
 * in-place `rel_entropy` leaves behind), then H = mean over pixels i of [½ ln(2πe) + ln s_i] with s_i the
 * unbiased (n − 1) standard deviation of P(i) over the rows. Pixels whose standard deviation is exactly 0
 * (ln 0 = −∞ in the code) are omitted and counted; `null` when every pixel is constant.
 */
export function batchDifferentialEntropy(
  data: Vector,
  rows: number,
  columns: number,
  epsilon = RECONSTRUCTION_EPSILON,
): { value: number | null; omittedPixels: number } {
  if (!(rows >= 2))
    throw new ArgumentError('batchDifferentialEntropy: rows', 'at least 2 rows (an unbiased standard deviation)', rows);
  if (data.length !== rows * columns)
    throw new ArgumentError('batchDifferentialEntropy: data length', `rows × columns = ${rows * columns}`, data.length);
  const mean = new Float64Array(columns);
  const m2 = new Float64Array(columns);
  // Welford over rows: numerically stable for the tiny spreads of collapsed reconstructions.
  for (let r = 0; r < rows; r++) {
    const p = minShiftDistribution(data, r * columns, columns, epsilon);
    for (let i = 0; i < columns; i++) {
      const delta = p[i]! - mean[i]!;
      mean[i]! += delta / (r + 1);
      m2[i]! += delta * (p[i]! - mean[i]!);
    }
  }
  let sum = 0;
  let used = 0;
  for (let i = 0; i < columns; i++) {
    const variance = m2[i]! / (rows - 1);
    if (!(variance > 0)) continue;
    sum += HALF_LOG_TWO_PI_E + 0.5 * Math.log(variance);
    used++;
  }
  return { value: used > 0 ? sum / used : null, omittedPixels: columns - used };
}

/** Median as NumPy computes it (mean of the two middle values for an even count). */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new ArgumentError('median: values', 'at least one value', 0);
  const sorted = Float64Array.from(values).sort();
  const h = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[h]! : 0.5 * (sorted[h - 1]! + sorted[h]!);
}
