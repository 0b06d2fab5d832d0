/**
 * Plug-in relative entropy between two histograms, nats: D̂(P‖Q) = Σ p̂_i ln(p̂_i / q̂_i).
 * Returns Infinity when a bin seen in P is empty in Q (never NaN).
 *
 * Miller–Madow-type correction (second-order bias of both terms, derived in docs/estimators.md):
 *   E[−Ĥ(P)] ≈ −H(P) + (m_P − 1)/(2 N_P),   E[−Σ p̂ ln q̂] ≈ −Σ p ln q + Σ p_i (1 − q_i)/(2 N_Q q_i),
 * so D̂_MM = D̂ − (m_P − 1)/(2 N_P) − Σ p̂_i (1 − q̂_i)/(2 N_Q q̂_i).
 */
export function plugInDivergence(
  p: ArrayLike<number>,
  pTotal: number,
  q: ArrayLike<number>,
  qTotal: number,
  correction: 'none' | 'miller-madow' = 'none',
): number {
  let d = 0;
  let occupied = 0;
  let crossBias = 0;
  for (let i = 0; i < p.length; i++) {
    const pc = p[i]!;
    if (pc <= 0) continue;
    occupied++;
    const qc = q[i]!;
    if (qc <= 0) return Infinity;
    const pi = pc / pTotal;
    const qi = qc / qTotal;
    d += pi * Math.log(pi / qi);
    crossBias += (pi * (1 - qi)) / qi;
  }
  if (correction === 'none') return d;
  return d - (occupied - 1) / (2 * pTotal) - crossBias / (2 * qTotal);
}
