import { RandomStream } from '@entroscope/core';
import { IsingCheckerboardEngine } from './ising-checkerboard-engine';
import { isingCheckerboardSweepFast } from './ising-checkerboard-fast';
import { Xoshiro128 } from './xoshiro128';
import { batchMean, energyPerSite, exactMoments } from './ising-exact.spec-helper';

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
    const exact = exactMoments(4, 0.4).e;
    const engine = new IsingCheckerboardEngine(4, RandomStream.fromSeed(9), 2, 2);
    try {
      engine.sweep(0.4, 500);
      const series: number[] = [];
      for (let t = 0; t < 40 * 400; t++) {
        engine.sweep(0.4);
        series.push(energyPerSite(engine.spins, 4));
      }
      const { mean, se } = batchMean(series);
      expect(Math.abs(mean - exact)).toBeLessThan(5 * se);
    } finally {
      engine.dispose();
    }
  });
});
