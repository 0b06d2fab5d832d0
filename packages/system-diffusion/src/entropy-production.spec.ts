import { RandomStream } from '@entroscope/core';
import { GaussianEntropyProduction, MixtureEntropyProduction, gaussianSpeedLimit } from './entropy-production';
import { StraightLineProcess, VariancePreservingProcess } from './forward-process';
import { bimodalOracle, isotropicGaussian, randomMixture } from './gaussian-mixture';
import { trapezoidOnAuthorsGrid } from './quadrature';

const vp = new VariancePreservingProcess('vp', 1);
const vpx = new VariancePreservingProcess('vpx', 0.1);
const sl = new StraightLineProcess(0.1);
// ‖m‖² = 5 in D = 2.
const case2Data = isotropicGaussian([2, 1], 0.25);

describe('forward processes', () => {
  it('VP at s = 1 has the kernel of the reference (μ(1) = 0.017863424153, Σ(1) = 0.999840436308)', () => {
    expect(vp.mean(1)).toBeCloseTo(0.017863424153, 11);
    expect(vp.std(1)).toBeCloseTo(0.999840436308, 11);
  });

  it.each([
    ['vp', vp],
    ['vpx', vpx],
    ['sl', sl],
  ] as const)('%s: Σ² = k²(1 − μ²) and the drift is the equilibrium score, b₊ = (σ²/2)(−y/k²)', (_name, process) => {
    for (const s of [1e-5, 0.1, 0.37, 0.8, 0.99]) {
      const mu = process.mean(s);
      expect(process.std(s) ** 2).toBeCloseTo(process.equilibriumVariance * (1 - mu * mu), 14);
      expect(process.driftRate(s)).toBeCloseTo(-process.diffusion2(s) / (2 * process.equilibriumVariance), 10);
      // dμ/ds = a(s) μ: the kernel mean follows the drift (central difference).
      const h = 1e-6;
      expect((process.mean(s + h) - process.mean(s - h)) / (2 * h)).toBeCloseTo(process.driftRate(s) * mu, 6);
    }
  });
});

describe('Gaussian entropy production (closed forms against the reference table)', () => {
  const cases = [
    {
      name: '1: VP, D = 1, m = 0, s_d² = 0.25',
      p: new GaussianEntropyProduction(isotropicGaussian([0], 0.25), vp),
      total: 0.3181471662,
      kl: 0.3181471806,
      r01: 1.2648009344,
      r05: 0.0426401807,
    },
    {
      name: '2: VP, D = 2, ‖m‖² = 5, s_d² = 0.25',
      p: new GaussianEntropyProduction(case2Data, vp),
      total: 3.1354965777,
      kl: 3.1362943611,
      r01: 6.392892289,
      r05: 2.7086584217,
    },
    {
      name: '4: SL, D = 2, ‖m‖² = 5, s_d² = 0.25',
      p: new GaussianEntropyProduction(case2Data, sl),
      total: 270.7811241751,
      kl: 270.7811241751,
      r01: 491.0864970646,
      r05: 270.5714285714,
    },
    {
      name: '6: VP, D = 1, p_d = p_eq',
      p: new GaussianEntropyProduction(isotropicGaussian([0], 1), vp),
      total: 0,
      kl: 0,
      r01: 0,
      r05: 0,
    },
  ];
  // The reference values are rounded to 10 decimals: |error| ≤ 5e-11 + float64 rounding, well inside 1e-8.
  it.each(cases)('case $name: S_tot(1), KL(p_d‖p_eq), Ṡ(0.1), Ṡ(0.5) to 1e-8', ({ p, total, kl, r01, r05 }) => {
    expect(Math.abs(p.total(1) - total)).toBeLessThan(1e-8);
    expect(Math.abs(p.divergenceFromEquilibrium(0) - kl)).toBeLessThan(1e-8);
    expect(Math.abs(p.rate(0.1) - r01)).toBeLessThan(1e-8);
    expect(Math.abs(p.rate(0.5) - r05)).toBeLessThan(1e-8);
  });

  it.each(cases)('case $name: ∫₀ᵀ Ṡ ds equals KL(p_0‖p_eq) − KL(p_T‖p_eq) to 1e-9 at T = 0.25, 0.5, 1', ({ p }) => {
    for (const T of [0.25, 0.5, 1])
      expect(Math.abs(p.totalByQuadrature(T) - p.total(T))).toBeLessThan(1e-9 * Math.max(1, p.total(T)));
  });

  it('case 2: dKL(p_s‖p_eq)/ds = −Ṡ at s = 0.3 (= −6.7345184, central difference)', () => {
    const p = cases[1]!.p;
    const h = 1e-5;
    const derivative = (p.divergenceFromEquilibrium(0.3 + h) - p.divergenceFromEquilibrium(0.3 - h)) / (2 * h);
    expect(derivative).toBeCloseTo(-6.7345184, 6);
    expect(derivative).toBeCloseTo(-p.rate(0.3), 7);
  });

  it("case 2 on the authors' grid (100 points from 1e-5, trapezoid): 3.1348490795 full, 3.1347096536 reported, within 1e-3 of the exact 3.1354918239", () => {
    const p = cases[1]!.p;
    const grid = trapezoidOnAuthorsGrid((s) => p.rate(s), 1);
    expect(Math.abs(grid.full - 3.1348490795)).toBeLessThan(1e-9);
    expect(Math.abs(grid.reported - 3.1347096536)).toBeLessThan(1e-9);
    const exact = p.totalByQuadrature(1) - p.totalByQuadrature(1e-5);
    expect(Math.abs(exact - 3.1354918239)).toBeLessThan(1e-9);
    // The brief's quadrature budget for the code's discretisation: 1e-3 relative.
    expect(Math.abs(grid.reported - exact) / exact).toBeLessThan(1e-3);
    expect(Math.abs(grid.full - exact) / exact).toBeLessThan(1e-3);
  });

  it('case 2: speed limit W₂²(p_d, p_1)/∫σ²/2 = 5.32272/4.025 = 1.32242 ≤ S_tot', () => {
    const limit = gaussianSpeedLimit(case2Data, vp, 1);
    expect(limit.wasserstein2).toBeCloseTo(5.32272, 5);
    expect(limit.mobility).toBeCloseTo(4.025, 12);
    expect(limit.bound).toBeCloseTo(1.32242, 5);
    expect(limit.bound).toBeLessThan(cases[1]!.p.total(1));
  });

  it('process dependence: VPx and SL produce about 1/k² = 100× the entropy of VP on the same data', () => {
    const base = new GaussianEntropyProduction(case2Data, vp).total(1);
    for (const process of [vpx, sl]) {
      const ratio = new GaussianEntropyProduction(case2Data, process).total(1) / base;
      expect(ratio).toBeGreaterThan(50);
      expect(ratio).toBeLessThan(150);
    }
  });
});

describe('mixture entropy production (quadrature of the exact mixture score)', () => {
  const oracle = new MixtureEntropyProduction(bimodalOracle(), vp);

  it('bimodal oracle: KL(p_d‖N(0,1)), S_tot(0.25, 0.5, 1), Ṡ(0.1), Ṡ(0.5) equal the reference values to 1e-8', () => {
    expect(Math.abs(oracle.divergenceFromEquilibrium(0) - 1.1331485171)).toBeLessThan(1e-8);
    expect(Math.abs(oracle.total(0.25) - 0.9279764045)).toBeLessThan(1e-8);
    expect(Math.abs(oracle.total(0.5) - 1.1258243905)).toBeLessThan(1e-8);
    expect(Math.abs(oracle.total(1) - 1.1331484707)).toBeLessThan(1e-8);
    expect(Math.abs(oracle.rate(0.1) - 4.9148723084)).toBeLessThan(1e-8);
    expect(Math.abs(oracle.rate(0.5) - 0.1173798853)).toBeLessThan(1e-8);
  });

  it('bimodal oracle: S_tot from the KL difference and from ∫ Ṡ agree to 1e-9', () => {
    expect(Math.abs(oracle.totalByQuadrature(0.25) - oracle.total(0.25))).toBeLessThan(1e-9);
    expect(Math.abs(oracle.totalByQuadrature(1) - oracle.total(1))).toBeLessThan(1e-9);
  });

  it('a one-component mixture reproduces the Gaussian closed forms (second implementation), D = 1, 2, 3', () => {
    for (const [data, tol] of [
      [isotropicGaussian([0.7], 0.3), 1e-11],
      [isotropicGaussian([2, 1], 0.25), 1e-9],
      [isotropicGaussian([1, -0.5, 0.3], 0.6), 1e-9],
    ] as const) {
      for (const process of [vp, sl]) {
        const exact = new GaussianEntropyProduction(data, process);
        const quad = new MixtureEntropyProduction(data, process);
        for (const s of [0, 0.1, 0.5, 0.9]) {
          expect(Math.abs(quad.rate(s) - exact.rate(s))).toBeLessThan(tol * Math.max(1, exact.rate(s)));
          expect(Math.abs(quad.divergenceFromEquilibrium(s) - exact.divergenceFromEquilibrium(s))).toBeLessThan(
            tol * Math.max(1, exact.divergenceFromEquilibrium(s)),
          );
        }
      }
    }
  });

  it("the authors' random 5-component mixture in D = 3: Gauss–Hermite converges (order 24 vs 32) and agrees with Monte Carlo within 4 standard errors", () => {
    const data = randomMixture(3, RandomStream.fromSeed(32).split('mixture'));
    const h24 = new MixtureEntropyProduction(data, vp, { use: 'hermite', order: 24 });
    const h32 = new MixtureEntropyProduction(data, vp, { use: 'hermite', order: 32 });
    for (const s of [0, 0.05, 0.3]) {
      // Measured: order 24 is within ~3e-5 (relative) of order 32 for this draw; 1e-4 leaves room for other draws.
      expect(Math.abs(h24.rate(s) - h32.rate(s))).toBeLessThan(1e-4 * h32.rate(s));
      expect(Math.abs(h24.divergenceFromEquilibrium(s) - h32.divergenceFromEquilibrium(s))).toBeLessThan(
        1e-4 * Math.max(1, h32.divergenceFromEquilibrium(s)),
      );
      const mc = new MixtureEntropyProduction(data, vp, {
        use: 'monte-carlo',
        samples: 20000,
        random: RandomStream.fromSeed(5).split(`mc:${s}`),
      });
      const rate = mc.rateWithError(s);
      expect(Math.abs(rate.value - h32.rate(s))).toBeLessThan(4 * rate.error);
      const kl = mc.divergenceWithError(s);
      expect(Math.abs(kl.value - h32.divergenceFromEquilibrium(s))).toBeLessThan(4 * kl.error);
    }
  });
});
