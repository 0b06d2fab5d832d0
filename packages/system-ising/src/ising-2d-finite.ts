import { ArgumentError } from '@entroscope/core';

/**
 * Exact results for finite periodic square lattices (tori), used as the finite-size truth for Monte Carlo and for
 * the location of the Fisher-information peak on the lattice actually simulated.
 *
 *  - `Ising2dDensityOfStates`: exhaustive enumeration (Gray code) of all 2^N states of an Lx × Ly torus, N ≤ 24,
 *    tabulating g(B, M) with B = Σ_bonds s_i s_j and M = Σ_i s_i. Every equilibrium average at every K follows.
 *  - `kaufmanLogPartition`: Kaufman's (1949) closed form of ln Z for an m × n torus, any size, with its first
 *    and second K-derivatives computed exactly by forward-mode differentiation (jets). Magnetisation moments
 *    are not available from it.
 */

/** Equilibrium averages on a finite torus at coupling K. */
export interface FiniteLatticeAverages {
  /** ln Z / N, nats per site. */
  readonly logPartitionPerSite: number;
  /** u = ⟨B⟩ / (2N): mean nearest-neighbour correlation. */
  readonly nearestNeighbourCorrelation: number;
  /** Var(B) / N = ∂² ln Z / ∂K² / N: Fisher information per site. */
  readonly bondVariancePerSite: number;
  /** ⟨|M|⟩ / N (absent from Kaufman's formula). */
  readonly absMagnetisation?: number;
  /** ⟨M²⟩ / N² (absent from Kaufman's formula). */
  readonly magnetisationSquared?: number;
}

/** Density of states g(B, M) of an Lx × Ly periodic lattice by enumeration of all 2^N configurations. */
export class Ising2dDensityOfStates {
  readonly sites: number;
  /** Count of states at (B, M): index ((B + 2N) / 2) × (N + 1) + (M + N) / 2. */
  readonly counts: Float64Array;
  private readonly bondLevels: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const N = width * height;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || N > 24) {
      throw new ArgumentError(
        'Ising2dDensityOfStates',
        'integer sides ≥ 2 with width × height ≤ 24',
        `${width} × ${height}`,
      );
    }
    this.sites = N;
    this.bondLevels = 2 * N + 1;
    this.counts = new Float64Array(this.bondLevels * (N + 1));
    // Neighbour lists on the torus (right and down bonds of each site give every bond once).
    const neighbours: number[][] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        neighbours.push([
          y * width + ((x + 1) % width),
          y * width + ((x + width - 1) % width),
          ((y + 1) % height) * width + x,
          ((y + height - 1) % height) * width + x,
        ]);
      }
    }
    const spins = new Int8Array(N).fill(1);
    let B = 2 * N;
    let M = N;
    const record = () => {
      this.counts[((B + 2 * N) >> 1) * (N + 1) + ((M + N) >> 1)]!++;
    };
    record();
    const total = 2 ** N;
    for (let k = 1; k < total; k++) {
      // Gray code: flip the spin at the lowest set bit of k.
      const j = 31 - Math.clz32(k & -k);
      const s = spins[j]!;
      const nb = neighbours[j]!;
      const local = spins[nb[0]!]! + spins[nb[1]!]! + spins[nb[2]!]! + spins[nb[3]!]!;
      B -= 2 * s * local;
      M -= 2 * s;
      spins[j] = -s as 1 | -1;
      record();
    }
  }

  /** Exact averages at coupling K (any real K). */
  averages(K: number): Required<FiniteLatticeAverages> {
    const N = this.sites;
    let maxExponent = -Infinity;
    for (let b = 0; b < this.bondLevels; b++) {
      for (let m = 0; m <= N; m++)
        if (this.counts[b * (N + 1) + m]! > 0) maxExponent = Math.max(maxExponent, K * (2 * b - 2 * N));
    }
    let z = 0;
    let sumB = 0;
    let sumB2 = 0;
    let sumAbsM = 0;
    let sumM2 = 0;
    for (let b = 0; b < this.bondLevels; b++) {
      const B = 2 * b - 2 * N;
      const weight = Math.exp(K * B - maxExponent);
      for (let m = 0; m <= N; m++) {
        const count = this.counts[b * (N + 1) + m]!;
        if (count === 0) continue;
        const M = 2 * m - N;
        const w = count * weight;
        z += w;
        sumB += w * B;
        sumB2 += w * B * B;
        sumAbsM += w * Math.abs(M);
        sumM2 += w * M * M;
      }
    }
    const meanB = sumB / z;
    return {
      logPartitionPerSite: (Math.log(z) + maxExponent) / N,
      nearestNeighbourCorrelation: meanB / (2 * N),
      bondVariancePerSite: (sumB2 / z - meanB * meanB) / N,
      absMagnetisation: sumAbsM / z / N,
      magnetisationSquared: sumM2 / z / (N * N),
    };
  }
}

/** A second-order jet: value, first and second derivative with respect to K. */
interface Jet {
  v: number;
  d: number;
  dd: number;
}
const jet = (v: number, d = 0, dd = 0): Jet => ({ v, d, dd });
const add = (a: Jet, b: Jet): Jet => jet(a.v + b.v, a.d + b.d, a.dd + b.dd);
const scale = (a: Jet, c: number): Jet => jet(a.v * c, a.d * c, a.dd * c);
const mul = (a: Jet, b: Jet): Jet => jet(a.v * b.v, a.d * b.v + a.v * b.d, a.dd * b.v + 2 * a.d * b.d + a.v * b.dd);
const exp = (a: Jet): Jet => {
  const e = Math.exp(a.v);
  return jet(e, e * a.d, e * (a.dd + a.d * a.d));
};
const log = (a: Jet): Jet => jet(Math.log(a.v), a.d / a.v, a.dd / a.v - (a.d / a.v) ** 2);
/** Applies a scalar function g with g(x), g'(x), g''(x) given. */
const chain = (a: Jet, g0: number, g1: number, g2: number): Jet => jet(g0, g1 * a.d, g1 * a.dd + g2 * a.d * a.d);

/** ln(2 cosh x) for x ≥ 0, without overflow. */
function logTwoCosh(x: Jet): Jet {
  const ax = Math.abs(x.v);
  const t = Math.tanh(x.v);
  return chain(x, ax + Math.log1p(Math.exp(-2 * ax)), t, 1 - t * t);
}

/** ln(2 sinh x) for x > 0, without overflow. */
function logTwoSinh(x: Jet): Jet {
  const coth = 1 / Math.tanh(x.v);
  return chain(x, x.v + Math.log(-Math.expm1(-2 * x.v)), coth, 1 - coth * coth);
}

/**
 * Kaufman's exact ln Z of the periodic m × n lattice (m rows, n columns, N = mn), with ∂/∂K and ∂²/∂K²
 * (B. Kaufman, Phys. Rev. 76, 1232 (1949); in the form of P. D. Beale, Phys. Rev. Lett. 76, 78 (1996)):
 *   Z = ½ (2 sinh 2K)^{N/2} Σ_{i=1}^{4} Z_i,
 *   Z_1 = Π_{r=0}^{n−1} 2 cosh(m γ_{2r+1}/2),  Z_2 = Π 2 sinh(m γ_{2r+1}/2),
 *   Z_3 = Π_{r=0}^{n−1} 2 cosh(m γ_{2r}/2),    Z_4 = Π 2 sinh(m γ_{2r}/2),
 *   cosh γ_k = cosh 2K coth 2K − cos(πk/n) (k ≠ 0),  γ_0 = 2K + ln tanh K (negative below K_c).
 * Tested against exhaustive enumeration. Requires K > 0.
 */
export function kaufmanLogPartition(
  K: number,
  rows: number,
  columns: number,
): { logZ: number; dLogZ: number; d2LogZ: number } {
  if (!(K > 0) || !Number.isFinite(K)) throw new ArgumentError('kaufmanLogPartition', 'a finite coupling K > 0', K);
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 2 || columns < 2) {
    throw new ArgumentError('kaufmanLogPartition', 'integer lattice sides ≥ 2', `${rows} × ${columns}`);
  }
  const m = rows;
  const n = columns;
  const N = m * n;
  const s = Math.sinh(2 * K);
  const c = Math.cosh(2 * K);
  const sJet = jet(s, 2 * c, 4 * s);
  const cJet = jet(c, 2 * s, 4 * c);
  // a = cosh 2K coth 2K = c²/s; a − 1 evaluated as (s − 1)²/s + (1 + s²... ) below via y.
  const a = mul(mul(cJet, cJet), chain(sJet, 1 / s, -1 / (s * s), 2 / (s * s * s)));
  const gamma = (k: number): Jet => {
    // y = cosh γ − 1 = (c²/s − 2) + (1 − cos(πk/n)) = (s − 1)²/s + 2 sin²(πk/2n), no cancellation.
    const half = Math.sin((Math.PI * k) / (2 * n));
    const y = ((s - 1) * (s - 1)) / s + 2 * half * half;
    const x = 1 + y;
    const root = Math.sqrt(y * (y + 2));
    return chain(a, Math.log1p(y + root), 1 / root, -x / (root * root * root));
  };
  // γ_0 = 2K + ln tanh K; d/dK ln tanh K = 2/sinh 2K, d² = −4 cosh 2K / sinh² 2K.
  const gamma0 = jet(2 * K + Math.log(Math.tanh(K)), 2 + 2 / s, (-4 * c) / (s * s));
  const halfM = (g: Jet) => scale(g, m / 2);
  let log1 = jet(0);
  let log2 = jet(0);
  let log3 = jet(0);
  let log4Rest = jet(0);
  for (let r = 0; r < n; r++) {
    const odd = halfM(gamma(2 * r + 1));
    log1 = add(log1, logTwoCosh(odd));
    log2 = add(log2, logTwoSinh(odd));
    if (r > 0) {
      const even = halfM(gamma(2 * r));
      log3 = add(log3, logTwoCosh(even));
      log4Rest = add(log4Rest, logTwoSinh(even));
    }
  }
  const x0 = halfM(gamma0);
  log3 = add(log3, logTwoCosh(x0));
  // Z_4 carries the sign of γ_0 and vanishes at K_c: keep its r = 0 factor as a plain (signed) jet when small.
  const shift = Math.max(log1.v, log2.v, log3.v, log4Rest.v + Math.abs(x0.v));
  const shifted = (l: Jet) => exp(add(l, jet(-shift)));
  let z4: Jet;
  if (Math.abs(x0.v) < 1) {
    const sinh = Math.sinh(x0.v);
    const cosh = Math.cosh(x0.v);
    z4 = mul(shifted(log4Rest), chain(x0, 2 * sinh, 2 * cosh, 2 * sinh));
  } else {
    const sign = Math.sign(x0.v);
    z4 = scale(shifted(add(log4Rest, logTwoSinh(scale(x0, sign)))), sign);
  }
  const sum = add(add(shifted(log1), shifted(log2)), add(shifted(log3), z4));
  const logSum = log(sum);
  const prefactor = scale(log(scale(sJet, 2)), N / 2);
  return {
    logZ: -Math.LN2 + prefactor.v + shift + logSum.v,
    dLogZ: prefactor.d + logSum.d,
    d2LogZ: prefactor.dd + logSum.dd,
  };
}

/** Exact finite-torus averages (no magnetisation) from Kaufman's formula, L × L' sites. */
export function kaufmanAverages(K: number, rows: number, columns: number): FiniteLatticeAverages {
  const N = rows * columns;
  const { logZ, dLogZ, d2LogZ } = kaufmanLogPartition(K, rows, columns);
  return {
    logPartitionPerSite: logZ / N,
    nearestNeighbourCorrelation: dLogZ / (2 * N),
    bondVariancePerSite: d2LogZ / N,
  };
}

/**
 * Location of the maximum of the exact Fisher information per site (Var(B)/N) on an L × L torus, found by
 * golden-section search on Kaufman's formula in [lower, upper]. This is the finite-size pseudo-critical
 * coupling against which a Monte Carlo peak should be judged (it tends to K_c with shift ∝ 1/L).
 */
export function fisherPeakFinite(L: number, lower = 0.3, upper = 0.6): { K: number; fisher: number } {
  const f = (K: number) => kaufmanAverages(K, L, L).bondVariancePerSite;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = lower;
  let b = upper;
  let x1 = b - ratio * (b - a);
  let x2 = a + ratio * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > 1e-10) {
    if (f1 > f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - ratio * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + ratio * (b - a);
      f2 = f(x2);
    }
  }
  const K = 0.5 * (a + b);
  return { K, fisher: f(K) };
}
