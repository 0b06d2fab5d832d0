import { RandomStream } from '@entroscope/core';
import { Xoshiro128 } from '@entroscope/kernels';
import { CRITICAL_COUPLING_2D as Kc } from './ising-2d-exact';
import { Ising2dDensityOfStates, kaufmanAverages } from './ising-2d-finite';
import {
  latticeSums,
  metropolisRule,
  runIsing2dMonteCarlo,
  wolffRule,
  type UpdateRuleFactory,
} from './ising-2d-monte-carlo';
import { WolffUpdater } from './ising-2d-wolff';

// Class S (docs/science/rg-ising.md §2.7): |MC − exact| ≤ 4 standard errors, with SE from the τ_int measured on the run.
const dos = new Ising2dDensityOfStates(4, 4);

/** Metropolis with a deliberately wrong acceptance rule: min(1, e^{−K ΔE/2}) instead of min(1, e^{−2K s Σnn}). */
const brokenMetropolis: UpdateRuleFactory = (L, K, random) => {
  const rng = Xoshiro128.from(random);
  return {
    id: 'broken-metropolis',
    sweep: (spins) => {
      for (let i = 0; i < L * L; i++) {
        const site = Math.floor((rng.next() / 4294967296) * L * L);
        const r = (site / L) | 0;
        const c = site % L;
        const nn =
          spins[r * L + ((c + 1) % L)]! +
          spins[r * L + ((c + L - 1) % L)]! +
          spins[((r + 1) % L) * L + c]! +
          spins[((r + L - 1) % L) * L + c]!;
        const x = spins[site]! * nn;
        if (rng.next() / 4294967296 < Math.min(1, Math.exp(-K * x))) spins[site] = -spins[site]! as -1 | 1;
      }
    },
  };
};

function zScores(rule: UpdateRuleFactory, K: number, seed: number, sweeps = 40_000) {
  const result = runIsing2dMonteCarlo({ L: 4, K, rule, sweeps, random: RandomStream.fromSeed(seed) });
  const exact = dos.averages(K);
  return {
    result,
    energy: (result.energy.mean - exact.nearestNeighbourCorrelation) / result.energy.standardError,
    absM: (result.absMagnetisation.mean - exact.absMagnetisation) / result.absMagnetisation.standardError,
    m2: (result.magnetisationSquared.mean - exact.magnetisationSquared) / result.magnetisationSquared.standardError,
    fisher: (result.fisher.value - exact.bondVariancePerSite) / result.fisher.standardError,
  };
}

describe('2D Ising Monte Carlo on the 4×4 torus against exact enumeration', () => {
  it.each([
    ['metropolis', 0.3, metropolisRule],
    ['metropolis', Kc, metropolisRule],
    ['metropolis', 0.5, metropolisRule],
    ['wolff', 0.3, wolffRule],
    ['wolff', Kc, wolffRule],
    ['wolff', 0.5, wolffRule],
  ] as const)('%s at K = %s: u, ⟨|m|⟩, ⟨m²⟩ and Var(B)/N within 4 SE', (_name, K, rule) => {
    const z = zScores(rule, K, 17);
    expect(Math.abs(z.energy)).toBeLessThan(4);
    expect(Math.abs(z.absM)).toBeLessThan(4);
    expect(Math.abs(z.m2)).toBeLessThan(4);
    expect(Math.abs(z.fisher)).toBeLessThan(4);
    expect(z.result.energy.reliable).toBe(true);
  });

  it('fails the same check when the acceptance rule is deliberately broken', () => {
    const z = zScores(brokenMetropolis, 0.3, 17, 20_000);
    // Sampling p ∝ e^{K B/2} instead of e^{K B}: u is far below the exact value, by many standard errors.
    expect(Math.abs(z.energy)).toBeGreaterThan(20);
  });

  it('measures burn-in and autocorrelation: a cold start at small K is discarded, and Wolff decorrelates faster at K_c', () => {
    const metropolis = runIsing2dMonteCarlo({
      L: 16,
      K: Kc,
      rule: metropolisRule,
      sweeps: 4000,
      random: RandomStream.fromSeed(2),
      start: 'cold',
    });
    const wolff = runIsing2dMonteCarlo({
      L: 16,
      K: Kc,
      rule: wolffRule,
      sweeps: 4000,
      random: RandomStream.fromSeed(2),
      start: 'cold',
    });
    expect(wolff.absMagnetisation.tau).toBeLessThan(metropolis.absMagnetisation.tau);
    const cold = runIsing2dMonteCarlo({
      L: 32,
      K: 0.2,
      rule: metropolisRule,
      sweeps: 200,
      random: RandomStream.fromSeed(3),
      start: 'cold',
      pilotSweeps: 400,
    });
    expect(cold.burnIn).toBeGreaterThan(0);
    // The exact 16×16 energy (Kaufman) is recovered by both.
    const exact = kaufmanAverages(Kc, 16, 16).nearestNeighbourCorrelation;
    for (const r of [metropolis, wolff])
      expect(Math.abs(r.energy.mean - exact)).toBeLessThan(4 * r.energy.standardError);
  });

  it('saves spaced configurations with an effective sample size, deterministically per seed', () => {
    const run = (seed: number) =>
      runIsing2dMonteCarlo({
        L: 8,
        K: 0.4,
        rule: wolffRule,
        sweeps: 100,
        configurations: 50,
        random: RandomStream.fromSeed(seed),
      });
    const a = run(4);
    expect(a.configurations.length).toBe(50 * 64);
    expect(a.configurationEss).toBeGreaterThan(5);
    expect(a.configurationEss).toBeLessThanOrEqual(50 * 1.5);
    for (let i = 0; i < a.configurations.length; i++) expect(Math.abs(a.configurations[i]!)).toBe(1);
    expect(run(4).configurations).toEqual(a.configurations);
    expect(run(5).configurations).not.toEqual(a.configurations);
  });
});

describe('Wolff updater', () => {
  it('flips a connected, aligned cluster and leaves every spin ±1', () => {
    const L = 16;
    const spins = new Int8Array(L * L).fill(1);
    const updater = new WolffUpdater(L, 10); // p_add ≈ 1: the whole aligned lattice flips
    const size = updater.cluster(spins, new Xoshiro128([1, 2, 3, 4]));
    expect(size).toBe(L * L);
    expect(latticeSums(spins, L).magnetisation).toBe(-L * L);
    const hot = new WolffUpdater(L, 0); // p_add = 0: single-spin clusters
    expect(hot.cluster(spins, new Xoshiro128([1, 2, 3, 4]))).toBe(1);
  });
});
