import { ArgumentError } from '@entroscope/core';

/**
 * Variational lower bounds on I(X;Y) from a K×K critic matrix f[i][j] = f(x_i, y_j) (row-major): the diagonal
 * holds the joint pairs, the off-diagonal entries the product of marginals (Poole et al., "On variational bounds of
 * mutual information", ICML 2019). Pure functions of the matrix, so they are testable without training a critic.
 * Nats.
 * - InfoNCE (van den Oord et al. 2018): (1/K) Σ_i [f_ii − ln((1/K) Σ_j e^{f_ij})], never above ln K.
 * - NWJ (Nguyen, Wainwright & Jordan 2010): E_P[f] − e^{−1} E_Q[e^f].
 * - DV (Donsker–Varadhan; MINE, Belghazi et al. 2018): E_P[f] − ln E_Q[e^f]; DV ≥ NWJ for the same critic.
 * E_Q averages the K(K−1) off-diagonal entries. DV and NWJ have high variance when the MI is large, and any
 * distribution-free lower bound needs exponentially many samples in the MI (McAllester & Stratos 2020).
 */
function size(scores: ArrayLike<number>): number {
  const k = Math.round(Math.sqrt(scores.length));
  if (k * k !== scores.length || k < 2)
    throw new ArgumentError('critic matrix', 'a K×K matrix with K ≥ 2', `${scores.length} entries`);
  return k;
}

export function infoNceBound(scores: ArrayLike<number>): number {
  const k = size(scores);
  let total = 0;
  for (let i = 0; i < k; i++) {
    let mx = -Infinity;
    for (let j = 0; j < k; j++) mx = Math.max(mx, scores[i * k + j]!);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(scores[i * k + j]! - mx);
    total += scores[i * k + i]! - (mx + Math.log(s / k));
  }
  return total / k;
}

function jointMean(scores: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += scores[i * k + i]!;
  return s / k;
}

/** ln E_Q[e^f] over the off-diagonal entries, by log-sum-exp. */
function logMeanExpOffDiagonal(scores: ArrayLike<number>, k: number): number {
  let mx = -Infinity;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) mx = Math.max(mx, scores[i * k + j]!);
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) s += Math.exp(scores[i * k + j]! - mx);
  return mx + Math.log(s / (k * (k - 1)));
}

export function nwjBound(scores: ArrayLike<number>): number {
  const k = size(scores);
  return jointMean(scores, k) - Math.exp(logMeanExpOffDiagonal(scores, k) - 1);
}

export function donskerVaradhanBound(scores: ArrayLike<number>): number {
  const k = size(scores);
  return jointMean(scores, k) - logMeanExpOffDiagonal(scores, k);
}
