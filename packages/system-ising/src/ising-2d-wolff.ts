import { ArgumentError } from '@entroscope/core';
import type { Xoshiro128 } from '@entroscope/kernels';

/**
 * Wolff single-cluster update of the 2D Ising model (U. Wolff, Phys. Rev. Lett. 62, 361 (1989)).
 *
 * Lattice: L × L periodic, `spins[i·L + j]` ∈ {−1, +1}, coupling K = βJ ≥ 0, no field. A seed site is chosen
 * uniformly; each aligned neighbour of a cluster site joins with probability p_add = 1 − e^{−2K}; the whole cluster
 * is flipped (every proposal is accepted: detailed balance holds with this p_add). Near K_c the dynamic exponent is
 * z ≈ 0.25 instead of Metropolis' ≈ 2.17.
 *
 * Randomness: 32-bit words of `rng`. The seed is the word's high bits scaled to [0, N) (bias < N/2^32), and a bond is
 * added iff word < ⌈p_add · 2^32⌉ (exact integer comparison).
 */
export class WolffUpdater {
  private readonly stack: Int32Array;
  private readonly threshold: number;
  readonly sites: number;

  constructor(
    readonly L: number,
    readonly K: number,
  ) {
    if (!Number.isInteger(L) || L < 2) throw new ArgumentError('WolffUpdater: L', 'an integer lattice side ≥ 2', L);
    if (!(K >= 0) || !Number.isFinite(K))
      throw new ArgumentError('WolffUpdater: K', 'a finite ferromagnetic coupling K ≥ 0', K);
    this.sites = L * L;
    this.stack = new Int32Array(this.sites);
    this.threshold = Math.ceil(-Math.expm1(-2 * K) * 4294967296);
  }

  /** Grows and flips one cluster; returns its size. */
  cluster(spins: Int8Array, rng: Xoshiro128): number {
    const { L, stack, threshold } = this;
    const N = this.sites;
    const seed = Math.floor((rng.next() / 4294967296) * N);
    const old = spins[seed]!;
    const flipped = -old as -1 | 1;
    spins[seed] = flipped;
    let top = 0;
    stack[top++] = seed;
    let size = 1;
    while (top > 0) {
      const site = stack[--top]!;
      const i = (site / L) | 0;
      const j = site - i * L;
      const row = i * L;
      const n0 = j === L - 1 ? row : site + 1;
      const n1 = j === 0 ? row + L - 1 : site - 1;
      const n2 = i === L - 1 ? j : site + L;
      const n3 = i === 0 ? N - L + j : site - L;
      if (spins[n0] === old && rng.next() < threshold) {
        spins[n0] = flipped;
        stack[top++] = n0;
        size++;
      }
      if (spins[n1] === old && rng.next() < threshold) {
        spins[n1] = flipped;
        stack[top++] = n1;
        size++;
      }
      if (spins[n2] === old && rng.next() < threshold) {
        spins[n2] = flipped;
        stack[top++] = n2;
        size++;
      }
      if (spins[n3] === old && rng.next() < threshold) {
        spins[n3] = flipped;
        stack[top++] = n3;
        size++;
      }
    }
    return size;
  }

  /**
   * Mean cluster size measured over `clusters` clusters grown from the current state (the state changes: call it
   * on a thermalised configuration). Used to fix the number of clusters per sweep before sampling.
   */
  meanClusterSize(spins: Int8Array, rng: Xoshiro128, clusters: number): number {
    let total = 0;
    for (let c = 0; c < clusters; c++) total += this.cluster(spins, rng);
    return total / clusters;
  }

  /**
   * One sweep: a fixed number of clusters. The count must not depend on the clusters grown in this sweep:
   * stopping "when N spins have flipped" would measure at a state-dependent stopping time and bias averages
   * towards states with large clusters. Returns the number of spins flipped.
   */
  sweep(spins: Int8Array, rng: Xoshiro128, clusters: number): number {
    if (spins.length !== this.sites)
      throw new ArgumentError('WolffUpdater.sweep: spins', `${this.sites} spins`, spins.length);
    let flipped = 0;
    for (let c = 0; c < clusters; c++) flipped += this.cluster(spins, rng);
    return flipped;
  }
}
