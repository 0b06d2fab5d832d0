import type { RandomStream } from '@entroscope/core';

/**
 * Exact (i.i.d., no Markov-chain Monte Carlo) sampling of 1D Ising configurations, spins ±1 as Int8.
 *
 * The scaled transfer matrix T̃ = T/e^K = [[e^h, e^{−2K}], [e^{−2K}, e^{−h}]] is symmetric with orthonormal
 * eigenvectors v+ (eigenvalue λ̃+) and v− (ratio ρ = λ̃−/λ̃+), so (T̃/λ̃+)^k = v+v+ᵀ + ρ^k v−v−ᵀ exactly.
 *  - window of the infinite chain: stationary Markov chain, π(σ) = v+(σ)², P(τ|σ) = T̃(σ,τ) v+(τ)/(λ̃+ v+(σ));
 *  - periodic ring of N sites: P(s0) ∝ (T̃^N)_{s0 s0}, then P(s_i | s_{i−1}, s0) ∝ T̃(s_{i−1}, s_i) (T̃^{N−i})(s_i, s0).
 * State index 0 is spin +1, index 1 is spin −1.
 */
export class Ising1dSampler {
  private readonly t: [[number, number], [number, number]];
  private readonly lambda: number;
  private readonly vPlus: [number, number];
  private readonly vMinus: [number, number];
  private readonly rho: number;

  constructor(K: number, h: number) {
    const sh = Math.sinh(h);
    const off = Math.exp(-2 * K);
    const e4 = Math.exp(-4 * K);
    const qq = Math.sqrt(sh * sh + e4);
    this.t = [
      [Math.exp(h), off],
      [off, Math.exp(-h)],
    ];
    this.lambda = Math.cosh(h) + qq;
    // Leading eigenvector (e^{−2K}, λ̃+ − e^h) with λ̃+ − e^h = q − sinh h computed without cancellation.
    const down = sh >= 0 ? e4 / (qq + sh) : qq - sh;
    const norm = Math.hypot(off, down);
    this.vPlus = [off / norm, down / norm];
    this.vMinus = [-this.vPlus[1], this.vPlus[0]];
    this.rho = (Math.cosh(h) - qq) / this.lambda;
  }

  /** (T̃/λ̃+)^k [a][b]. */
  private power(k: number, a: number, b: number): number {
    return this.vPlus[a]! * this.vPlus[b]! + Math.pow(this.rho, k) * this.vMinus[a]! * this.vMinus[b]!;
  }

  /** `count` independent windows of `length` consecutive spins of the infinite chain, row-major. */
  sampleWindows(count: number, length: number, random: RandomStream): Int8Array {
    const out = new Int8Array(count * length);
    const pUpStart = this.vPlus[0] * this.vPlus[0];
    const pUpAfter = [
      (this.t[0][0] * this.vPlus[0]) / (this.lambda * this.vPlus[0]),
      (this.t[1][0] * this.vPlus[0]) / (this.lambda * this.vPlus[1]),
    ];
    for (let r = 0; r < count; r++) {
      let state = random.uniform() < pUpStart ? 0 : 1;
      const base = r * length;
      out[base] = state === 0 ? 1 : -1;
      for (let i = 1; i < length; i++) {
        state = random.uniform() < pUpAfter[state]! ? 0 : 1;
        out[base + i] = state === 0 ? 1 : -1;
      }
    }
    return out;
  }

  /** `count` independent configurations of the periodic ring of `sites` spins, row-major. */
  sampleRings(count: number, sites: number, random: RandomStream): Int8Array {
    const out = new Int8Array(count * sites);
    // Conditional probability of spin up at position i given the previous state and s0, tabulated.
    const pUp = new Float64Array(sites * 4);
    for (let i = 1; i < sites; i++) {
      for (let prev = 0; prev < 2; prev++) {
        for (let first = 0; first < 2; first++) {
          const wUp = this.t[prev]![0]! * this.power(sites - i, 0, first);
          const wDown = this.t[prev]![1]! * this.power(sites - i, 1, first);
          pUp[i * 4 + prev * 2 + first] = wUp / (wUp + wDown);
        }
      }
    }
    const d0 = this.power(sites, 0, 0);
    const d1 = this.power(sites, 1, 1);
    const pFirstUp = d0 / (d0 + d1);
    for (let r = 0; r < count; r++) {
      const first = random.uniform() < pFirstUp ? 0 : 1;
      let state = first;
      const base = r * sites;
      out[base] = first === 0 ? 1 : -1;
      for (let i = 1; i < sites; i++) {
        state = random.uniform() < pUp[i * 4 + state * 2 + first]! ? 0 : 1;
        out[base + i] = state === 0 ? 1 : -1;
      }
    }
    return out;
  }
}
