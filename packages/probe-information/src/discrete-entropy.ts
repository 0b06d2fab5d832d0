/**
 * Plug-in (maximum-likelihood) entropy of a histogram, in nats: Ĥ = −Σ p̂_i ln p̂_i, p̂_i = n_i/N.
 * Biased low by about (m − 1)/(2N) for m occupied bins (estimators.md §1).
 */
export function plugInEntropy(counts: ArrayLike<number>, total: number): number {
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) h -= (c / total) * Math.log(c / total);
  }
  return h;
}

/** Number of occupied bins. */
export function occupiedBins(counts: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) m++;
  return m;
}

/** Miller–Madow corrected entropy: Ĥ + (m̂ − 1)/(2N), m̂ occupied bins (estimators.md §1). */
export function millerMadowEntropy(counts: ArrayLike<number>, total: number): number {
  return plugInEntropy(counts, total) + (occupiedBins(counts) - 1) / (2 * total);
}
