import { logCosh } from './log-cosh';

/**
 * Exact results for the 1D Ising chain p(s) ∝ exp(K Σ s_i s_{i+1} + h Σ s_i), s_i = ±1, K = βJ, h = βH.
 * Conventions of docs/science/rg-ising.md §1: f = lim (1/N) ln Z in nats per site (positive).
 * Transfer matrix T = [[e^{K+h}, e^{−K}], [e^{−K}, e^{K−h}]], eigenvalues λ± = e^K (cosh h ± q),
 * q = sqrt(sinh²h + e^{−4K}). All functions are written in the scaled form (factor e^K taken out) so they
 * stay finite for |K|, |h| up to ~350.
 */
export interface Ising1dCouplings {
  readonly K: number;
  readonly h: number;
}

function q(K: number, h: number): number {
  const sh = Math.sinh(h);
  return Math.sqrt(sh * sh + Math.exp(-4 * K));
}

/** Free energy per site f(K, h) = ln λ+ (nats per site). */
export function freeEnergy1d(K: number, h: number): number {
  return K + Math.log(Math.cosh(h) + q(K, h));
}

/** Magnetisation per site m = ∂f/∂h = sinh h / sqrt(sinh²h + e^{−4K}). */
export function magnetisation1d(K: number, h: number): number {
  return Math.sinh(h) / q(K, h);
}

/** Nearest-neighbour correlation ε = ⟨s_i s_{i+1}⟩ = ∂f/∂K (closed form; tanh K at h = 0). */
export function nearestNeighbourCorrelation1d(K: number, h: number): number {
  const a = Math.cosh(h);
  const qq = q(K, h);
  const sh = Math.sinh(h);
  return (a + (sh * sh - Math.exp(-4 * K)) / qq) / (a + qq);
}

/**
 * Fisher information matrix per site ∇²f(K, h) = [[∂ε/∂K, ∂ε/∂h], [∂m/∂K, ∂m/∂h]] in closed form (the covariance
 * of (Σ s_i s_{i+1}, Σ s_i) per site). With e = e^{−4K}, a = cosh h, q as above, ε = 1 − 2e/(q(a + q)) and:
 *   ∂ε/∂K = 8e/(q(a + q)) − 4e²(a + 2q)/(q³(a + q)²),  ∂ε/∂h = ∂m/∂K = 2 sinh h · e/q³,  ∂m/∂h = cosh h · e/q³.
 * At h = 0 this is [[sech²K, 0], [0, e^{2K}]].
 */
export function fisherInformation1d(K: number, h: number): number[][] {
  const e = Math.exp(-4 * K);
  const a = Math.cosh(h);
  const qq = q(K, h);
  const q3 = qq * qq * qq;
  const kk = (8 * e) / (qq * (a + qq)) - (4 * e * e * (a + 2 * qq)) / (q3 * (a + qq) * (a + qq));
  const kh = (2 * Math.sinh(h) * e) / q3;
  return [
    [kk, kh],
    [kh, (a * e) / q3],
  ];
}

/** Entropy per site s = f − K ε − h m (nats per site). */
export function entropy1d(K: number, h: number): number {
  return freeEnergy1d(K, h) - K * nearestNeighbourCorrelation1d(K, h) - h * magnetisation1d(K, h);
}

/** λ−/λ+ (negative for antiferromagnetic K < 0 at h = 0). */
export function eigenvalueRatio1d(K: number, h: number): number {
  const a = Math.cosh(h);
  const qq = q(K, h);
  return (a - qq) / (a + qq);
}

/** Correlation length ξ = 1/ln(λ+/|λ−|) in lattice spacings (Infinity at T = 0, 0 at K = 0, h = 0). */
export function correlationLength1d(K: number, h: number): number {
  const rho = Math.abs(eigenvalueRatio1d(K, h));
  return rho === 0 ? 0 : -1 / Math.log(rho);
}

/**
 * One exact b = 2 decimation (sum over every odd spin), with the per-original-site constant g:
 * ln Z_N(K, h) = N g + ln Z_{N/2}(K', h').
 */
export function decimate1d(K: number, h: number): { K: number; h: number; g: number } {
  const lp = logCosh(2 * K + h);
  const lm = logCosh(2 * K - h);
  const lh = logCosh(h);
  return {
    K: 0.25 * (lp + lm - 2 * lh),
    h: h + 0.5 * (lp - lm),
    g: 0.125 * (4 * Math.LN2 + lp + lm + 2 * lh),
  };
}

/** The decimation flow (K_0, h_0) = (K, h), (K_1, h_1), … (K_steps, h_steps). */
export function decimationFlow1d(K: number, h: number, steps: number): Ising1dCouplings[] {
  const flow: Ising1dCouplings[] = [{ K, h }];
  for (let n = 0; n < steps; n++) {
    const next = decimate1d(flow[n]!.K, flow[n]!.h);
    flow.push({ K: next.K, h: next.h });
  }
  return flow;
}

/**
 * End of the flow: K_∞ = 0 (the stable high-temperature fixed point) and h_∞ = lim h_n, iterated until
 * the couplings stop changing in double precision.
 */
export function flowLimit1d(K: number, h: number): Ising1dCouplings {
  let current = { K, h };
  for (let i = 0; i < 10_000; i++) {
    const next = decimate1d(current.K, current.h);
    if (next.K === current.K && next.h === current.h) break;
    current = { K: next.K, h: next.h };
    if (current.K === 0) break;
  }
  return { K: 0, h: current.h };
}

function scaledEigen(K: number, h: number) {
  const a = Math.cosh(h);
  const sh = Math.sinh(h);
  const qq = q(K, h);
  const e4 = Math.exp(-4 * K);
  return {
    plus: a + qq,
    minus: a - qq,
    // Derivatives of λ±/e^K... expressed as (∂λ±/∂K)/e^K and (∂λ±/∂h)/e^K.
    dKPlus: a + qq - (2 * e4) / qq,
    dKMinus: a - qq + (2 * e4) / qq,
    dhPlus: sh + (sh * a) / qq,
    dhMinus: sh - (sh * a) / qq,
  };
}

/** ln Z_N on a periodic ring of N sites: N ln λ+ + ln(1 + (λ−/λ+)^N). */
export function logPartitionRing1d(K: number, h: number, sites: number): number {
  const e = scaledEigen(K, h);
  const rho = e.minus / e.plus;
  return sites * (K + Math.log(e.plus)) + Math.log1p(Math.pow(rho, sites));
}

/** (∂_K ln Z_N, ∂_h ln Z_N) on a periodic ring of N sites: the total mean sufficient statistics. */
export function meanStatisticsRing1d(K: number, h: number, sites: number): [number, number] {
  const e = scaledEigen(K, h);
  const rho = e.minus / e.plus;
  const denominator = e.plus * (1 + Math.pow(rho, sites));
  const tail = Math.pow(rho, sites - 1);
  return [(sites * (e.dKPlus + tail * e.dKMinus)) / denominator, (sites * (e.dhPlus + tail * e.dhMinus)) / denominator];
}
