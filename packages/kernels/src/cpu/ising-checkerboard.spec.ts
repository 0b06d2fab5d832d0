import { RandomStream } from '@entroscope/core';
import { acceptanceTable, isingCheckerboardHalfSweepCpu, isingCheckerboardSweepCpu } from './ising-checkerboard-cpu';
import { isingCheckerboardSweepFast } from './ising-checkerboard-fast';
import {
  isingMultispinSweep,
  multispinEnergies,
  multispinMagnetisations,
  packReplicas,
  unpackReplica,
} from './ising-multispin';
import { Xoshiro128 } from './xoshiro128';
import { batchMean, energyPerSite, exactMoments } from './ising-exact.spec-helper';

const K_C = 0.5 * Math.log(1 + Math.SQRT2);

describe('isingCheckerboardHalfSweepCpu', () => {
  it('flips exactly the sites of the given parity when every move is accepted (K = 0)', () => {
    const L = 4;
    const spins = new Int8Array(L * L).fill(1);
    const accepted = isingCheckerboardHalfSweepCpu(spins, L, 0, 1, new Float64Array(8).fill(0.999));
    expect(accepted).toBe(8);
    for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) expect(spins[i * L + j]).toBe((i + j) & 1 ? -1 : 1);
  });

  it('consumes uniforms in row-major order of the sites of that parity', () => {
    // All-up lattice at large K: a flip (ΔE = 8J) is accepted only where the uniform is below e^{−8K}.
    const L = 6;
    const K = 1;
    const p = Math.exp(-8 * K);
    for (const parity of [0, 1] as const) {
      for (const c of [0, 4, 17]) {
        const spins = new Int8Array(L * L).fill(1);
        const u = new Float64Array(18).fill(0.5);
        u[c] = p / 2;
        expect(isingCheckerboardHalfSweepCpu(spins, L, K, parity, u)).toBe(1);
        // The c-th site of this parity in row-major order: row ⌊c/3⌋, column 2(c mod 3) + ((row + parity) & 1).
        const row = Math.floor(c / 3);
        const col = 2 * (c % 3) + ((row + parity) & 1);
        expect(spins.indexOf(-1)).toBe(row * L + col);
      }
    }
  });

  it('uses the Metropolis probabilities min(1, e^{−2K s Σnn})', () => {
    expect(Array.from(acceptanceTable(0.3))).toEqual([1, 1, 1, Math.exp(-1.2), Math.exp(-2.4)]);
  });

  it('samples the Boltzmann distribution: ⟨e⟩ and ⟨m²⟩ on 4×4 at K = 0.4 and K_c agree with exact enumeration within 5 standard errors', () => {
    for (const K of [0.4, K_C]) {
      const exact = exactMoments(4, K);
      const random = RandomStream.fromSeed(7).split(`K=${K}`);
      const spins = new Int8Array(16).fill(1);
      const e: number[] = [];
      const m2: number[] = [];
      for (let t = 0; t < 24000; t++) {
        isingCheckerboardSweepCpu(spins, 4, K, random);
        if (t >= 1000) {
          e.push(energyPerSite(spins, 4));
          m2.push((spins.reduce((s, v) => s + v, 0) / 16) ** 2);
        }
      }
      const be = batchMean(e);
      const bm = batchMean(m2);
      expect(Math.abs(be.mean - exact.e)).toBeLessThan(5 * be.se);
      expect(Math.abs(bm.mean - exact.m2)).toBeLessThan(5 * bm.se);
    }
  });

  it('rejects odd L, wrong array sizes and short uniform arrays', () => {
    expect(() => isingCheckerboardHalfSweepCpu(new Int8Array(9), 3, 0.4, 0, new Float64Array(9))).toThrow(
      /even integer/,
    );
    expect(() => isingCheckerboardHalfSweepCpu(new Int8Array(15), 4, 0.4, 0, new Float64Array(8))).toThrow(/16 spins/);
    expect(() => isingCheckerboardHalfSweepCpu(new Int8Array(16), 4, 0.4, 0, new Float64Array(7))).toThrow(
      /at least L²\/2 = 8/,
    );
  });
});

describe('isingCheckerboardSweepFast', () => {
  it.each([
    [2, 0.3],
    [6, K_C],
    [16, 0.2],
    [10, -0.5],
  ])('L = %i, K = %f: bit-identical to the twin fed u = x/2^32 from the same xoshiro128** stream', (L, K) => {
    const init = RandomStream.fromSeed(L);
    const spins = new Int8Array(L * L).map(() => (init.nextUint32() & 1 ? 1 : -1));
    const twin = spins.slice();
    const rng = Xoshiro128.from(init);
    const copy = new Xoshiro128(rng.state);
    const u = new Float64Array((L * L) / 2);
    for (let sweep = 0; sweep < 5; sweep++) {
      const fast = isingCheckerboardSweepFast(spins, L, K, rng);
      let slow = 0;
      for (const parity of [0, 1] as const)
        slow += isingCheckerboardHalfSweepCpu(twin, L, K, parity, copy.fillUniform32(u));
      expect(fast).toBe(slow);
      expect(spins).toEqual(twin);
    }
    expect(rng.state).toEqual(copy.state);
  });
});

describe('isingMultispinSweep (32 replicas per word)', () => {
  it('packs and unpacks replicas losslessly', () => {
    const random = RandomStream.fromSeed(2);
    const replicas = Array.from({ length: 32 }, () => new Int8Array(36).map(() => (random.nextUint32() & 1 ? 1 : -1)));
    const words = packReplicas(replicas, 6);
    replicas.forEach((r, i) => expect(unpackReplica(words, i)).toEqual(r));
    expect(multispinMagnetisations(words)[5]).toBeCloseTo(replicas[5]!.reduce((s, v) => s + v, 0) / 36, 12);
    expect(multispinEnergies(words, 6)[9]).toBeCloseTo(energyPerSite(replicas[9]!, 6), 12);
  });

  it('at K = 0 flips every spin of every replica (all moves accepted with certainty)', () => {
    const words = new Int32Array(16).map((_, i) => i * 0x9e3779b9);
    const before = words.slice();
    isingMultispinSweep(words, 4, 0, new Xoshiro128([1, 2, 3, 4]));
    expect(words).toEqual(before.map((w) => ~w));
  });

  it('every replica samples the Boltzmann distribution: ⟨e⟩, ⟨m²⟩ on 4×4 at K_c and K = 0.6 agree with exact enumeration (5 standard errors)', () => {
    for (const K of [K_C, 0.6]) {
      const exact = exactMoments(4, K);
      const rng = Xoshiro128.from(RandomStream.fromSeed(13).split(`K=${K}`));
      const words = new Int32Array(16).fill(-1);
      const e: number[] = [];
      const m2: number[] = [];
      const e0: number[] = [];
      const e1: number[] = [];
      for (let t = 0; t < 4500; t++) {
        isingMultispinSweep(words, 4, K, rng);
        if (t < 500) continue;
        const energies = multispinEnergies(words, 4);
        const mags = multispinMagnetisations(words);
        e.push(energies.reduce((s, v) => s + v, 0) / 32);
        m2.push(mags.reduce((s, v) => s + v * v, 0) / 32);
        e0.push(energies[0]!);
        e1.push(energies[31]!);
      }
      const be = batchMean(e);
      const bm = batchMean(m2);
      expect(Math.abs(be.mean - exact.e)).toBeLessThan(5 * be.se);
      expect(Math.abs(bm.mean - exact.m2)).toBeLessThan(5 * bm.se);
      // Each replica on its own, too (replica 0 and 31 use the lowest and highest bit).
      for (const series of [e0, e1]) {
        const b = batchMean(series);
        expect(Math.abs(b.mean - exact.e)).toBeLessThan(5 * b.se);
      }
      // Independent replicas: the batch means of replicas 0 and 31 are uncorrelated (|r| < 0.5 for 40 batches: p ≈ 0.001 under independence).
      const size = Math.floor(e0.length / 40);
      const m0 = Array.from({ length: 40 }, (_, b) => e0.slice(b * size, (b + 1) * size).reduce((s, v) => s + v, 0));
      const m1 = Array.from({ length: 40 }, (_, b) => e1.slice(b * size, (b + 1) * size).reduce((s, v) => s + v, 0));
      const mean0 = m0.reduce((s, v) => s + v, 0) / 40;
      const mean1 = m1.reduce((s, v) => s + v, 0) / 40;
      const cov = m0.reduce((s, v, i) => s + (v - mean0) * (m1[i]! - mean1), 0);
      const r =
        cov / Math.sqrt(m0.reduce((s, v) => s + (v - mean0) ** 2, 0) * m1.reduce((s, v) => s + (v - mean1) ** 2, 0));
      expect(Math.abs(r)).toBeLessThan(0.5);
    }
  });

  it('rejects negative K and mismatched sizes', () => {
    expect(() => isingMultispinSweep(new Int32Array(16), 4, -0.1, new Xoshiro128([1, 2, 3, 4]))).toThrow(/K ≥ 0/);
    expect(() => isingMultispinSweep(new Int32Array(15), 4, 0.1, new Xoshiro128([1, 2, 3, 4]))).toThrow(/16 words/);
  });
});
