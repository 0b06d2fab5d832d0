import { RandomStream } from '@entroscope/core';
import { IsingMultispinEngine } from './ising-multispin-engine';
import { multispinEnergies } from './ising-multispin';

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
    // Exact ⟨e⟩ of the periodic 4×4 model at K = 0.6 by enumeration (same routine as ising-checkerboard.spec.ts).
    let Z = 0;
    let E = 0;
    for (let state = 0; state < 1 << 16; state++) {
      let bonds = 0;
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          const s = (state >> (i * 4 + j)) & 1 ? 1 : -1;
          bonds += s * (((state >> (((i + 1) % 4) * 4 + j)) & 1 ? 1 : -1) + ((state >> (i * 4 + ((j + 1) % 4))) & 1 ? 1 : -1));
        }
      const w = Math.exp(0.6 * bonds);
      Z += w;
      E += (w * -bonds) / 16;
    }
    const exact = E / Z;
    const engine = new IsingMultispinEngine(4, RandomStream.fromSeed(8), 2, 2);
    try {
      engine.sweep(0.6, 200);
      const batches: number[] = [];
      for (let b = 0; b < 40; b++) {
        let sum = 0;
        for (let t = 0; t < 100; t++) {
          engine.sweep(0.6);
          sum += multispinEnergies(engine.words, 4).reduce((s, v) => s + v, 0) / 32;
        }
        batches.push(sum / 100);
      }
      const mean = batches.reduce((s, v) => s + v, 0) / 40;
      const se = Math.sqrt(batches.reduce((s, v) => s + (v - mean) ** 2, 0) / 39 / 40);
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
