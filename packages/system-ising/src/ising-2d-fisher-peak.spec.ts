import { RandomStream } from '@entroscope/core';
import { CRITICAL_COUPLING_2D as KC } from './ising-2d-exact';
import { fisherPeakFinite, kaufmanAverages } from './ising-2d-finite';
import { runIsing2dMonteCarlo, wolffRule } from './ising-2d-monte-carlo';

// Issue 4: "the Fisher-information curve peaks at K_c within the finite-size shift expected for the lattice used".
// Monte Carlo Var(bonds)/N on the 16 × 16 torus over a K grid around K_c, against Kaufman's exact finite-lattice
// values (4 standard errors, block jackknife) and against the exact finite-size peak K_16 (shift ∝ 1/L).
describe('Fisher information of the 16 × 16 torus (Wolff Monte Carlo)', () => {
  const L = 16;
  const grid = [0.38, 0.4, 0.42, 0.43, 0.44, 0.46, 0.48, 0.5];
  const results = grid.map((K) => ({
    K,
    mc: runIsing2dMonteCarlo({ L, K, rule: wolffRule, sweeps: 3000, random: RandomStream.fromSeed(16).split(`K=${K}`) })
      .fisher,
    exact: kaufmanAverages(K, L, L).bondVariancePerSite,
  }));

  it('agrees with the exact finite-lattice value at every K within 4 standard errors', () => {
    for (const r of results) expect(Math.abs(r.mc.value - r.exact)).toBeLessThan(4 * r.mc.standardError);
  });

  it('peaks at the exact finite-size peak K_16 (one grid step), which lies below K_c by the expected shift', () => {
    const peak = fisherPeakFinite(L).K;
    expect(KC - peak).toBeGreaterThan(0.1 / L);
    expect(KC - peak).toBeLessThan(0.3 / L);
    const best = results.reduce((a, b) => (b.mc.value > a.mc.value ? b : a));
    const nearestGrid = grid.reduce((a, b) => (Math.abs(b - peak) < Math.abs(a - peak) ? b : a));
    expect(Math.abs(grid.indexOf(best.K) - grid.indexOf(nearestGrid))).toBeLessThanOrEqual(1);
  });
});
