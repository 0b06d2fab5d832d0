import { RandomStream } from '@entroscope/core';
import { IsingCheckerboardEngine } from './ising-checkerboard-engine';
import { isingCheckerboardSweepFast } from './ising-checkerboard-fast';
import { Xoshiro128 } from './xoshiro128';

const K_C = 0.5 * Math.log(1 + Math.SQRT2);

describe('IsingCheckerboardEngine (banded, threaded checkerboard sweeps)', () => {
  it('with one band is exactly isingCheckerboardSweepFast driven by the band stream', () => {
    const L = 12;
    const engine = new IsingCheckerboardEngine(L, RandomStream.fromSeed(5), 1);
    try {
      const init = RandomStream.fromSeed(6);
      engine.spins.set(new Int8Array(L * L).map(() => (init.nextUint32() & 1 ? 1 : -1)));
      const reference = engine.spins.slice();
      const stream = RandomStream.fromSeed(5).split('band:0');
      const rng = new Xoshiro128([stream.nextUint32(), stream.nextUint32(), stream.nextUint32(), stream.nextUint32()]);
      for (let t = 0; t < 10; t++) expect(engine.sweep(K_C)).toBe(isingCheckerboardSweepFast(reference, L, K_C, rng));
      expect(engine.spins).toEqual(reference);
    } finally {
      engine.dispose();
    }
  });

  it('gives the same spins and flip counts on 1 and 2 threads (results depend on bands, not threads)', () => {
    const one = new IsingCheckerboardEngine(32, RandomStream.fromSeed(2), 2, 1);
    const two = new IsingCheckerboardEngine(32, RandomStream.fromSeed(2), 2, 2);
    try {
      expect(two.threads).toBe(2);
      expect(two.sweep(K_C, 15)).toBe(one.sweep(K_C, 15));
      expect(two.spins).toEqual(one.spins);
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it('samples the Boltzmann distribution with 2 bands on 2 threads: ⟨e⟩ on 4×4 at K = 0.4 equals exact enumeration within 5 standard errors', () => {
    let Z = 0;
    let E = 0;
    for (let state = 0; state < 1 << 16; state++) {
      let bonds = 0;
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          const s = (state >> (i * 4 + j)) & 1 ? 1 : -1;
          bonds += s * (((state >> (((i + 1) % 4) * 4 + j)) & 1 ? 1 : -1) + ((state >> (i * 4 + ((j + 1) % 4))) & 1 ? 1 : -1));
        }
      const w = Math.exp(0.4 * bonds);
      Z += w;
      E += (w * -bonds) / 16;
    }
    const exact = E / Z;
    const engine = new IsingCheckerboardEngine(4, RandomStream.fromSeed(9), 2, 2);
    try {
      engine.sweep(0.4, 500);
      const batches: number[] = [];
      for (let b = 0; b < 40; b++) {
        let sum = 0;
        for (let t = 0; t < 400; t++) {
          engine.sweep(0.4);
          let bonds = 0;
          const s = engine.spins;
          for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) bonds += s[i * 4 + j]! * (s[((i + 1) % 4) * 4 + j]! + s[i * 4 + ((j + 1) % 4)]!);
          sum += -bonds / 16;
        }
        batches.push(sum / 400);
      }
      const mean = batches.reduce((s, v) => s + v, 0) / 40;
      const se = Math.sqrt(batches.reduce((s, v) => s + (v - mean) ** 2, 0) / 39 / 40);
      expect(Math.abs(mean - exact)).toBeLessThan(5 * se);
    } finally {
      engine.dispose();
    }
  });
});
