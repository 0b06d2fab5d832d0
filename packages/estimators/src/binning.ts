import { ArgumentError } from '@entroscope/core';
import type { SampleMatrix } from './sample-matrix';
import { jointCodes } from './discrete-entropy';

/**
 * Discretisation of continuous layer activations into per-sample state codes, for plug-in entropies and MI (the
 * binning information plane: Shwartz-Ziv & Tishby, arXiv:1703.00810). A layer's state is the tuple of its units'
 * bins; `binnedStates` returns one integer code per row (equal tuples, equal codes).
 *
 * - `fixed`: the information-plane code's semantics exactly. Edges are linspace(lo, hi, nEdges) in float32; a
 *   value v goes to edges[digitize(v, edges) − 1], NumPy's digitize (edges[i−1] ≤ v < edges[i]). So v ≥ hi
 *   lands on the last edge, and v < lo gives index −1, which **wraps around to the last edge** as well: a value
 *   below the range shares the bin of the values at the top. Reproduced on purpose (for comparison with published
 *   planes), and counted: `outOfRange` says how many values fell outside [lo, hi], so callers can warn.
 * - `width`: bins of fixed width w, floor(v/w) (Saxe et al. 2018), unbounded: no wrap-around.
 * - `quantile`: adaptive bins, edges at the quantiles of each unit's values over the samples (equal-mass bins per
 *   unit; Chelombiev, Houghton & O'Donnell, arXiv:1902.09037).
 */
export type Binning =
  | { readonly scheme: 'fixed'; readonly range: readonly [number, number]; readonly edges: number }
  | { readonly scheme: 'width'; readonly width: number }
  | { readonly scheme: 'quantile'; readonly bins: number };

export interface BinnedStates {
  readonly codes: Int32Array;
  /** Distinct states seen. */
  readonly states: number;
  /** Values outside the fixed range (each wraps to the last edge or collapses onto it); 0 for other schemes. */
  readonly outOfRange: number;
  /** Values below lo, which the fixed scheme wraps around to the top edge. */
  readonly wrapped: number;
}

/** float32 linspace(lo, hi, n), as NumPy computes it (lo + i·step in float64, then rounded to float32). */
export function float32Edges(lo: number, hi: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const step = (hi - lo) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = lo + i * step;
  out[n - 1] = hi;
  return out;
}

/** NumPy digitize (right = false) against increasing edges: the i with edges[i−1] ≤ v < edges[i] (0 … n). */
export function digitize(v: number, edges: ArrayLike<number>): number {
  let a = 0;
  let b = edges.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (edges[m]! <= v) a = m + 1;
    else b = m;
  }
  return a;
}

/** The value the fixed scheme replaces v with: edges[digitize(v) − 1], index −1 wrapping to the last edge. */
export function fixedBinValue(v: number, edges: ArrayLike<number>): number {
  const i = digitize(v, edges) - 1;
  return edges[i < 0 ? edges.length - 1 : i]!;
}

export function binnedStates(x: SampleMatrix, binning: Binning): BinnedStates {
  const { n, d, values } = x;
  const unitCodes = new Int32Array(n * d);
  let outOfRange = 0;
  let wrapped = 0;
  if (binning.scheme === 'fixed') {
    const [lo, hi] = binning.range;
    if (!(hi > lo) || !Number.isInteger(binning.edges) || binning.edges < 2)
      throw new ArgumentError('fixed binning', 'lo < hi and at least 2 edges', `[${lo}, ${hi}], ${binning.edges}`);
    const edges = float32Edges(lo, hi, binning.edges);
    const last = edges.length - 1;
    for (let i = 0; i < n * d; i++) {
      const v = values[i]!;
      if (v < edges[0]!) {
        wrapped++;
        outOfRange++;
      } else if (v > edges[last]!) outOfRange++;
      const idx = digitize(v, edges) - 1;
      unitCodes[i] = idx < 0 ? last : idx;
    }
  } else if (binning.scheme === 'width') {
    if (!(binning.width > 0)) throw new ArgumentError('width binning: width', 'a bin width > 0', binning.width);
    for (let i = 0; i < n * d; i++) unitCodes[i] = Math.floor(values[i]! / binning.width);
  } else {
    if (!Number.isInteger(binning.bins) || binning.bins < 2)
      throw new ArgumentError('quantile binning: bins', 'an integer ≥ 2', binning.bins);
    const column = new Float64Array(n);
    const cuts = new Float64Array(binning.bins - 1);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) column[i] = values[i * d + j]!;
      const sorted = Float64Array.from(column).sort();
      for (let b = 1; b < binning.bins; b++) cuts[b - 1] = sorted[Math.min(n - 1, Math.floor((b * n) / binning.bins))]!;
      for (let i = 0; i < n; i++) unitCodes[i * d + j] = digitize(column[i]!, cuts);
    }
  }
  const codes = jointRows(unitCodes, n, d);
  let states = 0;
  for (let i = 0; i < n; i++) if (codes[i]! + 1 > states) states = codes[i]! + 1;
  return { codes, states, outOfRange, wrapped };
}

/** Dense code per row of an n×d integer matrix (equal rows, equal codes; first appearance order). */
function jointRows(unitCodes: Int32Array, n: number, d: number): Int32Array {
  if (d === 1) return jointCodes(unitCodes);
  const out = new Int32Array(n);
  const table = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = unitCodes.subarray(i * d, (i + 1) * d).join(',');
    let c = table.get(key);
    if (c === undefined) table.set(key, (c = table.size));
    out[i] = c;
  }
  return out;
}
