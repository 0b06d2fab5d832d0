import { ArgumentError } from '@entroscope/core';
import type { FloatArray, NearestNeighbours } from '../kernel-names';

/**
 * Squared Euclidean distances D[i·m + j] = Σ_c (x_ic − y_jc)² between the n rows of x and the m rows of y
 * (both with d columns), by direct differences (no ‖x‖² + ‖y‖² − 2x·y expansion, which cancels badly for
 * near points); float64 sums, float32 storage.
 */
export function pairwiseSquaredDistancesCpu(
  x: FloatArray,
  y: FloatArray,
  n: number,
  m: number,
  d: number,
): Float32Array {
  checkPoints('pairwiseSquaredDistancesCpu', x, y, n, m, d);
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) {
        const diff = x[i * d + c]! - y[j * d + c]!;
        sum += diff * diff;
      }
      out[i * m + j] = sum;
    }
  }
  return out;
}

/**
 * Brute-force k nearest neighbours: for each of the n query rows of x, the k rows of y (m rows, d columns)
 * with the smallest squared distance (as computed by `pairwiseSquaredDistancesCpu`, i.e. compared after
 * float32 rounding), nearest first, ties broken by the lower index. With `excludeSelf` (x and y the same
 * set, n = m) row i is never its own neighbour. Requires k ≤ m (k ≤ m − 1 with excludeSelf).
 */
export function kNearestNeighboursCpu(
  x: FloatArray,
  y: FloatArray,
  n: number,
  m: number,
  d: number,
  k: number,
  excludeSelf = false,
): NearestNeighbours {
  checkPoints('kNearestNeighboursCpu', x, y, n, m, d);
  checkK('kNearestNeighboursCpu', k, n, m, excludeSelf);
  const dist = pairwiseSquaredDistancesCpu(x, y, n, m, d);
  return selectNearest(dist, n, m, k, excludeSelf);
}

/** k smallest entries of each row of an n×m distance matrix (ties: lower index first), by insertion into a sorted list. */
export function selectNearest(
  dist: Float32Array,
  n: number,
  m: number,
  k: number,
  excludeSelf: boolean,
): NearestNeighbours {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    let filled = 0;
    for (let j = 0; j < m; j++) {
      if (excludeSelf && j === i) continue;
      const v = dist[i * m + j]!;
      if (filled === k && !(v < bestD[k - 1]!)) continue;
      let pos = filled < k ? filled++ : k - 1;
      while (pos > 0 && v < bestD[pos - 1]!) {
        bestD[pos] = bestD[pos - 1]!;
        bestI[pos] = bestI[pos - 1]!;
        pos--;
      }
      bestD[pos] = v;
      bestI[pos] = j;
    }
    for (let r = 0; r < k; r++) {
      indices[i * k + r] = bestI[r]!;
      distances[i * k + r] = bestD[r]!;
    }
  }
  return { indices, distances };
}

export function checkPoints(where: string, x: FloatArray, y: FloatArray, n: number, m: number, d: number): void {
  for (const [name, v] of [
    ['n', n],
    ['m', m],
    ['d', d],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ArgumentError(`${where}: ${name}`, 'a non-negative integer', v);
  }
  if (x.length !== n * d) throw new ArgumentError(`${where}: x`, `n·d = ${n * d} elements`, `${x.length}`);
  if (y.length !== m * d) throw new ArgumentError(`${where}: y`, `m·d = ${m * d} elements`, `${y.length}`);
}

export function checkK(where: string, k: number, n: number, m: number, excludeSelf: boolean): void {
  const limit = excludeSelf ? m - 1 : m;
  if (!Number.isInteger(k) || k < 1 || k > limit)
    throw new ArgumentError(
      `${where}: k`,
      `an integer in 1…${limit}${excludeSelf ? ' (m − 1: a point is not its own neighbour)' : ''}`,
      k,
    );
  if (excludeSelf && n !== m)
    throw new ArgumentError(`${where}: excludeSelf`, 'x and y the same set (n = m)', `n = ${n}, m = ${m}`);
}
