import type { ExponentialFamilyExact } from '@entroscope/core';

export type Construction = 'A' | 'B' | 'C';

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((acc, x, i) => acc + x * b[i]!, 0);
const minus = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x - b[i]!);

/**
 * Per-site relative entropies between the site-0 model p = p_θ₀ and the model at an RG site θₙ of the same
 * exponential family, in the thermodynamic limit (docs/science/rg-ising.md §1.3, §2.4), nats per original site:
 *  A: D(p_θ₀ ‖ p_θₙ)/N = A(θₙ) − A(θ₀) − (θₙ − θ₀)·∇A(θ₀)         (same lattice, renormalised couplings)
 *  B: D(p ‖ qₙ)/N = ln k − s(θ₀) − fₙ [ln k − s(θₙ)]                  (qₙ = p_θₙ on kept sites × uniform on removed;
 *     needs exactMarginal; fₙ = kept fraction, k = states per site, s = A − θ·∇A)
 *  C: D(p_θₙ ‖ p_θ₀)/N = A(θ₀) − A(θₙ) − (θ₀ − θₙ)·∇A(θₙ)          (reverse of A)
 * `siteFraction` of `current` is fₙ; pass `fraction = 0` with θ = the flow limit for the asymptote of B.
 */
export function exponentialFamilyDivergencePerSite(
  reference: ExponentialFamilyExact,
  theta: readonly number[],
  fraction: number,
  construction: Construction,
): number {
  const t0 = reference.natural;
  const A = (t: readonly number[]) => reference.logPartition(t);
  const grad = (t: readonly number[]) => reference.meanStatistics(t);
  switch (construction) {
    case 'A':
      return A(theta) - A(t0) - dot(minus(theta, t0), grad(t0));
    case 'C':
      return A(t0) - A(theta) - dot(minus(t0, theta), grad(theta));
    case 'B': {
      const lnk = Math.log(reference.statesPerSite);
      const s = (t: readonly number[]) => A(t) - dot(t, grad(t));
      return lnk - s(t0) - (fraction === 0 ? 0 : fraction * (lnk - s(theta)));
    }
  }
}

/**
 * The same constructions on the finite lattice of `finite.sites` = N original sites, totals in nats
 * (docs/science/rg-ising.md §1.3 "on a ring"): with ln Z_M and H_M(θ) = ln Z_M(θ) − θ·∇ln Z_M(θ),
 *  A: ln Z_N(θₙ) − ln Z_N(θ₀) − (θₙ − θ₀)·∇ln Z_N(θ₀);  C: its reverse;
 *  B: −H_N(θ₀) + H_{fₙN}(θₙ) + (N − fₙN) ln k.
 */
export function exponentialFamilyDivergenceFinite(
  reference: ExponentialFamilyExact,
  theta: readonly number[],
  fraction: number,
  construction: Construction,
): number {
  const finite = reference.finite!;
  const N = finite.sites;
  const t0 = reference.natural;
  const lnZ = (t: readonly number[], sites: number) => finite.logPartition(t, sites);
  const grad = (t: readonly number[], sites: number) => finite.meanStatistics(t, sites);
  switch (construction) {
    case 'A':
      return lnZ(theta, N) - lnZ(t0, N) - dot(minus(theta, t0), grad(t0, N));
    case 'C':
      return lnZ(t0, N) - lnZ(theta, N) - dot(minus(t0, theta), grad(theta, N));
    case 'B': {
      const kept = Math.round(fraction * N);
      const H = (t: readonly number[], sites: number) => lnZ(t, sites) - dot(t, grad(t, sites));
      return -H(t0, N) + H(theta, kept) + (N - kept) * Math.log(reference.statesPerSite);
    }
  }
}
