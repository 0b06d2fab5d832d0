import { RandomStream } from '@entroscope/core';
import { blockJackknife } from './monte-carlo-statistics';
import { fisherInformation2d, nearestNeighbourCorrelation2d, spontaneousMagnetisation2d } from './ising-2d-exact';
import { kaufmanAverages } from './ising-2d-finite';
import { metropolisRule, runIsing2dMonteCarlo, wolffRule, type MonteCarloResult } from './ising-2d-monte-carlo';

// Long check (npm run test:long): Monte Carlo on L = 64 against Onsager, 3 standard errors computed from the
// integrated autocorrelation time measured on each run (the acceptance rule). Finite-size corrections at
// L = 64 are below 2e-6 in u for K ∈ {0.3, 0.4, 0.5} (Kaufman's exact 64 × 64 values, checked below), far under
// the statistical errors (~1e-4).
// Run lengths: Metropolis 20 000 sweeps (τ_int(|m|) ≈ 12 at K = 0.4), Wolff 4 000 sweeps (τ_int ≈ 0.6); about a
// minute in all (jest's per-module binding of Math, tools/jest/swc-transform.js, keeps the loops at node speed).
jest.setTimeout(30 * 60 * 1000);
const L = 64;
const runs = new Map<string, MonteCarloResult>();
const run = (name: 'metropolis' | 'wolff', K: number) => {
  const key = `${name}:${K}`;
  if (!runs.has(key)) {
    runs.set(
      key,
      runIsing2dMonteCarlo({
        L,
        K,
        rule: name === 'metropolis' ? metropolisRule : wolffRule,
        sweeps: name === 'metropolis' ? 20_000 : 4_000,
        random: RandomStream.fromSeed(2024).split(key),
      }),
    );
  }
  return runs.get(key)!;
};

describe.each(['metropolis', 'wolff'] as const)('%s on the 64 × 64 torus against Onsager', (name) => {
  it.each([0.3, 0.4, 0.5])(
    'K = %s: energy u within 3 SE (τ_int measured), and the finite-size bias is negligible',
    (K) => {
      const r = run(name, K);
      expect(r.energy.reliable).toBe(true);
      const exact = nearestNeighbourCorrelation2d(K);
      expect(Math.abs(kaufmanAverages(K, L, L).nearestNeighbourCorrelation - exact)).toBeLessThan(
        0.05 * r.energy.standardError,
      );
      expect(Math.abs(r.energy.mean - exact)).toBeLessThan(3 * r.energy.standardError);
    },
  );

  it('K = 0.5: ⟨|m|⟩ within 3 SE of the spontaneous magnetisation', () => {
    const r = run(name, 0.5);
    expect(r.absMagnetisation.reliable).toBe(true);
    expect(Math.abs(r.absMagnetisation.mean - spontaneousMagnetisation2d(0.5))).toBeLessThan(
      3 * r.absMagnetisation.standardError,
    );
  });

  it.each([0.3, 0.4])(
    'K = %s (M = 0): ⟨|m|⟩ is the finite-lattice Gaussian fluctuation sqrt(2⟨m²⟩/π) within 3 SE, and → 0 as L^{-1}',
    (K) => {
      // Above T_c and for L ≫ ξ the magnetisation is Gaussian with variance χ/N, so ⟨|m|⟩ = sqrt(2⟨m²⟩/π): the
      // infinite-lattice M = 0 appears as ⟨|m|⟩ = O(L^{-1}). Error of the difference by block jackknife.
      const r = run(name, K);
      const abs = r.absMagnetisationSeries;
      const diff = blockJackknife(abs, 40, (ranges) => {
        let n = 0;
        let s1 = 0;
        let s2 = 0;
        for (const [a, b] of ranges)
          for (let t = a; t < b; t++) {
            s1 += abs[t]!;
            s2 += abs[t]! * abs[t]!;
            n++;
          }
        return s1 / n - Math.sqrt((2 * s2) / n / Math.PI);
      });
      expect(Math.abs(diff.value)).toBeLessThan(3 * diff.standardError);
      expect(r.absMagnetisation.mean).toBeLessThan(K === 0.3 ? 0.05 : 0.15);
    },
  );

  it.each([0.3, 0.4, 0.5])('K = %s: Var(B)/N within 3 SE (block jackknife) of Onsager ∂²f/∂K²', (K) => {
    const r = run(name, K);
    expect(Math.abs(r.fisher.value - fisherInformation2d(K))).toBeLessThan(3 * r.fisher.standardError);
  });
});
