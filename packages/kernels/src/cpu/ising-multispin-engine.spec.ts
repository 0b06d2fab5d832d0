import { RandomStream } from '@entroscope/core';
import { IsingMultispinEngine } from './ising-multispin-engine';
import { multispinEnergies } from './ising-multispin';
import { batchMean, exactMoments } from './ising-exact.spec-helper';

const K_C = 0.5 * Math.log(1 + Math.SQRT2);

describe('IsingMultispinEngine (banded, threaded multispin sweeps)', () => {
  it('gives the same spins for 1 and 2 threads (results depend on bands, not threads)', () => {
    const one = new IsingMultispinEngine(16, RandomStream.fromSeed(3), 2, 1);
    const two = new IsingMultispinEngine(16, RandomStream.fromSeed(3), 2, 2);
    try {
      expect(two.threads).toBe(2);
      one.sweep(K_C, 20);
      two.sweep(K_C, 20);
      expect(two.words).toEqual(one.words);
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it('samples the Boltzmann distribution with 2 bands on 2 threads: ⟨e⟩ on 4×4 at K = 0.6 equals exact enumeration within 5 standard errors', () => {
    const exact = exactMoments(4, 0.6).e;
    const engine = new IsingMultispinEngine(4, RandomStream.fromSeed(8), 2, 2);
    try {
      engine.sweep(0.6, 200);
      const series: number[] = [];
      for (let t = 0; t < 40 * 100; t++) {
        engine.sweep(0.6);
        series.push(multispinEnergies(engine.words, 4).reduce((s, v) => s + v, 0) / 32);
      }
      const { mean, se } = batchMean(series);
      expect(Math.abs(mean - exact)).toBeLessThan(5 * se);
    } finally {
      engine.dispose();
    }
  });

  it('rejects bands and threads out of range', () => {
    expect(() => new IsingMultispinEngine(8, RandomStream.fromSeed(1), 0)).toThrow(/bands/);
    expect(() => new IsingMultispinEngine(8, RandomStream.fromSeed(1), 2, 3)).toThrow(/threads/);
  });
});
