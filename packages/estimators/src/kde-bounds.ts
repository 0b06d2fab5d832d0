import { ArgumentError } from '@entroscope/core';
import type { SampleMatrix } from './sample-matrix';

/**
 * Kolchinsky–Tracey pairwise-distance bounds for a noisy layer T = h(X) + N(0, σ² I) with an empirical input
 * distribution (each of the N rows h_i equally likely): A. Kolchinsky & B. D. Tracey, Entropy 19, 361 (2017);
 * used for the information plane by Saxe et al., ICLR 2018. For a mixture of Gaussians with pairwise KL
 * divergences ‖h_i − h_j‖²/(2σ²) (upper bound) or Bhattacharyya distances ‖h_i − h_j‖²/(8σ²) (lower bound),
 *   I(X;T) ≤ −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖²/(2σ²))],
 *   I(X;T) ≥ −(1/N) Σ_i ln[(1/N) Σ_j exp(−‖h_i − h_j‖²/(8σ²))].
 * Both lie in [0, ln N]. They bound the MI of the *noisy* layer; for a deterministic layer with continuous inputs
 * I(X;T) is infinite and σ² is a modelling choice that must be reported.
 * I(T;Y) is estimated as Ĥ(T) − Σ_y p(y) Ĥ(T|Y=y) with the same bound on each term; a difference of two upper
 * bounds is not a bound, so label it an estimate.
 */
export type KdeBound = 'upper' | 'lower';

/**
 * The bound on I(X;T) (nats) over the rows in `selection` (all when omitted): −(1/N) Σ_i ln((1/N) Σ_j e^{−‖h_i−h_j‖²/(c σ²)}),
 * c = 2 (upper) or 8 (lower). O(N² d); log-sum-exp per row.
 */
export function kolchinskyTraceyMutualInformation(
  h: SampleMatrix,
  variance: number,
  bound: KdeBound,
  selection?: ArrayLike<number>,
): number {
  if (!(variance > 0)) throw new ArgumentError('KDE bound: variance', 'a noise variance σ² > 0', variance);
  const rows = selection ?? Int32Array.from({ length: h.n }, (_, i) => i);
  const n = rows.length;
  const d = h.d;
  const scale = 1 / ((bound === 'upper' ? 2 : 8) * variance);
  const v = h.values;
  const e = new Float64Array(n);
  let total = 0;
  for (let a = 0; a < n; a++) {
    const ia = rows[a]! * d;
    let mx = -Infinity;
    for (let b = 0; b < n; b++) {
      const ib = rows[b]! * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = v[ia + j]! - v[ib + j]!;
        s += t * t;
      }
      const x = -s * scale;
      e[b] = x;
      if (x > mx) mx = x;
    }
    let acc = 0;
    for (let b = 0; b < n; b++) acc += Math.exp(e[b]! - mx);
    total += mx + Math.log(acc / n);
  }
  return -total / n;
}

/**
 * Entropy bound Ĥ(T) of the noisy layer (nats): H(T|X) + the MI bound, with H(T|X) = (d/2) ln(2πeσ²). The
 * lower bound with Bhattacharyya distances is the upper-bound formula with 4σ² plus (d/2) ln ¼ (equivalently the
 * MI lower bound plus H(T|X)).
 */
export function kolchinskyTraceyEntropy(
  h: SampleMatrix,
  variance: number,
  bound: KdeBound,
  selection?: ArrayLike<number>,
): number {
  return (
    (h.d / 2) * Math.log(2 * Math.PI * Math.E * variance) +
    kolchinskyTraceyMutualInformation(h, variance, bound, selection)
  );
}

/**
 * I(T;Y) estimate for discrete labels: Ĥ(T) − Σ_y p(y) Ĥ(T|Y=y), each term the chosen bound (the H(T|X) terms
 * cancel). Not a bound (a difference of bounds); nats.
 */
export function kolchinskyTraceyLabelInformation(
  h: SampleMatrix,
  labels: ArrayLike<number>,
  variance: number,
  bound: KdeBound,
  selection?: ArrayLike<number>,
): number {
  const rows = selection ?? Int32Array.from({ length: h.n }, (_, i) => i);
  const groups = new Map<number, number[]>();
  for (let k = 0; k < rows.length; k++) {
    const y = labels[rows[k]!]!;
    let g = groups.get(y);
    if (!g) groups.set(y, (g = []));
    g.push(rows[k]!);
  }
  let conditional = 0;
  for (const g of groups.values())
    conditional += (g.length / rows.length) * kolchinskyTraceyMutualInformation(h, variance, bound, g);
  return kolchinskyTraceyMutualInformation(h, variance, bound, rows) - conditional;
}
