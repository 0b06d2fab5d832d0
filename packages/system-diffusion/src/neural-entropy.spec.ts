import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { GaussianEntropyProduction } from './entropy-production';
import { StraightLineProcess, VariancePreservingProcess } from './forward-process';
import { bimodalOracle, isotropicGaussian } from './gaussian-mixture';
import {
  EntropyMatchingTrainer,
  ExactExcessScore,
  authorsGrid,
  entropyIntegrals,
  gaussLegendreGrid,
  likelihoodBound,
  reverseSample,
} from './neural-entropy';
import { gaussianFitDivergence, mmdCheck } from './sample-checks';
import { ScoreNetwork } from './score-network';

const kernels = kernelsFor({ id: 'cpu' });
const vp = new VariancePreservingProcess('vp', 1);
const sl = new StraightLineProcess(0.1);
const gaussian = isotropicGaussian([2, 1], 0.25);

describe('exact excess score and the time grids', () => {
  it('e*(y, s) of Gaussian data equals the closed form y(1/k² − 1/v) + μm/v', async () => {
    const star = new ExactExcessScore(gaussian, vp);
    const y = Float32Array.of(0.3, -1.2, 2.5, 0.7);
    const s = Float32Array.of(0.1, 0.6);
    const e = await star.evaluate(y, s, 2);
    for (let r = 0; r < 2; r++) {
      const mu = vp.mean(s[r]!);
      const v = mu * mu * 0.25 + vp.std(s[r]!) ** 2;
      for (let i = 0; i < 2; i++)
        expect(e[r * 2 + i]).toBeCloseTo(y[r * 2 + i]! * (1 - 1 / v) + (mu * [2, 1][i]!) / v, 4);
    }
  });

  it.each([
    ['vp', vp],
    ['sl', sl],
  ] as const)(
    '%s: the Gauss–Legendre grid integrates the exact rate over the training range to 1e-6 of S_tot',
    (_n, process) => {
      const exact = new GaussianEntropyProduction(gaussian, process);
      const grid = gaussLegendreGrid(process);
      let sum = 0;
      grid.times.forEach((t, j) => (sum += grid.weights[j]! * exact.rate(t)));
      const [lo, hi] = process.trainingRange;
      const reference = exact.totalByQuadrature(hi) - exact.totalByQuadrature(lo);
      expect(Math.abs(sum - reference)).toBeLessThan(1e-6 * reference);
    },
  );

  it("the authors' grid weights reproduce their second-to-last trapezoid value (3.1347096536 for case 2)", () => {
    const exact = new GaussianEntropyProduction(gaussian, vp);
    const grid = authorsGrid();
    let sum = 0;
    grid.times.forEach((t, j) => (sum += grid.weights[j]! * exact.rate(t)));
    expect(Math.abs(sum - 3.1347096536)).toBeLessThan(1e-9);
  });
});

describe('Monte Carlo entropy integrals (the S_NN estimator) on the exact excess score', () => {
  it('with e_θ = e*: S_NN equals the exact S_tot within 4 standard errors, L_EM = 0 and C = S_NN on the same draws', async () => {
    for (const [process, seed] of [
      [vp, 1],
      [sl, 2],
    ] as const) {
      const star = new ExactExcessScore(gaussian, process);
      const M = 4000;
      const x = Float32Array.from(gaussian.sample(M, RandomStream.fromSeed(seed)));
      const grid = gaussLegendreGrid(process);
      const r = await entropyIntegrals(star, star, process, x, M, grid, RandomStream.fromSeed(seed + 10));
      const exact = new GaussianEntropyProduction(gaussian, process);
      const [lo, hi] = process.trainingRange;
      const target = exact.totalByQuadrature(hi) - exact.totalByQuadrature(lo);
      expect(Math.abs(r.neural.value - target)).toBeLessThan(4 * r.neural.standardError);
      expect(r.neural.standardError).toBeLessThan(0.02 * target);
      expect(r.matching!.value).toBe(0);
      expect(r.cross!.value).toBeCloseTo(r.neural.value, 8);
      expect(r.total!.value).toBeCloseTo(r.neural.value, 8);
    }
  });

  it('for a model that is a fraction a of e*, S_NN = a² S_tot and L_EM = (1 − a)² S_tot (L_EM = S_tot − 2C + S_NN)', async () => {
    const star = new ExactExcessScore(gaussian, vp);
    const half = {
      dimension: 2,
      evaluate: async (y: Float32Array, s: Float32Array, rows: number) =>
        (await star.evaluate(y, s, rows)).map((v) => 0.5 * v),
    };
    const M = 2000;
    const x = Float32Array.from(gaussian.sample(M, RandomStream.fromSeed(3)));
    const r = await entropyIntegrals(half, star, vp, x, M, gaussLegendreGrid(vp), RandomStream.fromSeed(4));
    expect(r.neural.value).toBeCloseTo(0.25 * r.total!.value, 5);
    expect(r.matching!.value).toBeCloseTo(0.25 * r.total!.value, 5);
    expect(r.matching!.value).toBeCloseTo(r.total!.value - 2 * r.cross!.value + r.neural.value, 8);
  });
});

/** Mean and standard error over independent sampling seeds. */
const meanAndError = (values: readonly number[]) => {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
  return { mean: m, standardError: sd / Math.sqrt(values.length) };
};

describe('reverse-time sampling with the exact score recovers the data', () => {
  // Reverse SDE, Euler–Maruyama, 400 steps: measured KL 0.0015–0.0031 over 4 seeds against a threshold of 0.0045
  // (null mean 0.0011); 1600 steps: 0.0004–0.0027. ODE, RK4, 100 steps: 0.0009–0.0039.
  it.each([
    ['sde', 400],
    ['ode', 100],
  ] as const)(
    'Gaussian data, VP, %s (%i steps): KL of the sample Gaussian fit below the sampling-error threshold, 3 seeds',
    async (method, steps) => {
      const star = new ExactExcessScore(gaussian, vp);
      const n = 2000;
      for (const seed of [5, 6, 7]) {
        const samples = await reverseSample(star, vp, n, RandomStream.fromSeed(seed).split(method), {
          method,
          steps,
        });
        const check = gaussianFitDivergence(samples, n, gaussian, RandomStream.fromSeed(6));
        expect(check.value).toBeLessThan(check.threshold);
      }
    },
  );

  it('reverse SDE with a score error: the samples miss by the score error L_EM (Girsanov), not by the step count', async () => {
    // e_θ = a·e*: L_EM = (1 − a)² S_tot over the sampled range, exactly. Girsanov's theorem for the two reverse
    // path measures gives KL(p_d‖p_θ) ≤ KL(p_T‖π) + L_EM, and for the SDE the bound is nearly tight: measured
    // (4 seeds, n = 2000) KL of the fit 0.0227–0.0412 at 400 steps and 0.0295–0.0393 at 1600 steps for L_EM =
    // 0.0314 (a = 0.9), 0.0041–0.0132 and 0.0068–0.0125 for L_EM = 0.0078 (a = 0.95): a sampling-error threshold
    // (0.0045) is out of reach at any step count once L_EM exceeds it. The fit's KL is KL(p_θ‖p_d) of the Gaussian
    // projection, equal to KL(p_d‖p_θ) to second order in the difference.
    const star = new ExactExcessScore(gaussian, vp);
    const a = 0.9;
    const scaled = {
      dimension: 2,
      evaluate: async (y: Float32Array, s: Float32Array, rows: number) => {
        const e = await star.evaluate(y, s, rows);
        for (let i = 0; i < e.length; i++) e[i] = a * e[i]!;
        return e;
      },
    };
    const production = new GaussianEntropyProduction(gaussian, vp);
    const matching = (1 - a) ** 2 * (production.total(1) - production.total(1e-3));
    const n = 2000;
    const checks = [];
    for (const seed of [21, 22, 23, 24]) {
      const samples = await reverseSample(scaled, vp, n, RandomStream.fromSeed(seed), { method: 'sde', steps: 400 });
      checks.push(gaussianFitDivergence(samples, n, gaussian, RandomStream.fromSeed(6)));
    }
    const { mean, standardError } = meanAndError(checks.map((c) => c.value - c.nullMean));
    // KL(p_T‖π) at T = 1 for this data is 8e-4 (μ(1)² ‖m‖²/2 and the variance term).
    const prior = production.divergenceFromEquilibrium(1);
    expect(prior).toBeLessThan(1e-3);
    expect(mean).toBeLessThan(matching + prior + 4 * standardError);
    expect(mean).toBeGreaterThan(0.5 * matching);
    for (const c of checks) expect(c.value).toBeGreaterThan(c.threshold);
  });

  it('bimodal oracle, VP, probability-flow ODE: MMD² to fresh data below the sampling-error threshold', async () => {
    const data = bimodalOracle();
    const star = new ExactExcessScore(data, vp);
    const n = 800;
    const samples = await reverseSample(star, vp, n, RandomStream.fromSeed(7), { method: 'ode', steps: 100 });
    const check = mmdCheck(samples, n, data, RandomStream.fromSeed(8));
    expect(check.value).toBeLessThan(check.threshold);
  });

  it('a wrong score (zero excess: the sampler returns p_eq) fails the same MMD check', async () => {
    const data = bimodalOracle();
    const zero = {
      dimension: 1,
      evaluate: async (_y: Float32Array, _s: Float32Array, rows: number) => new Float32Array(rows),
    };
    const n = 800;
    const samples = await reverseSample(zero, vp, n, RandomStream.fromSeed(9), { method: 'ode', steps: 20 });
    const check = mmdCheck(samples, n, data, RandomStream.fromSeed(10));
    expect(check.value).toBeGreaterThan(10 * check.threshold);
  });
});

describe("the authors' likelihood bound", () => {
  it('with the exact score, mean[ln p_d − bound] is ≥ 0 within 4 SE and small (KL(p_d‖p_θ) ≤ KL(p_T‖π) + S_tot − S_NN)', async () => {
    const star = new ExactExcessScore(gaussian, vp);
    const n = 200;
    const x = Float32Array.from(gaussian.sample(n, RandomStream.fromSeed(11)));
    const { bound } = await likelihoodBound(star, vp, x, n, 400, RandomStream.fromSeed(12));
    const pt = new Float64Array(2);
    const gaps = Array.from({ length: n }, (_, r) => {
      pt[0] = x[2 * r]!;
      pt[1] = x[2 * r + 1]!;
      return gaussian.logDensity(pt) - bound[r]!;
    });
    const mean = gaps.reduce((a, b) => a + b, 0) / n;
    const se = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
    expect(mean).toBeGreaterThan(-4 * se);
    expect(mean).toBeLessThan(4 * se + 0.05);
  });
});

describe('score network and entropy-matching training (small network, a few epochs)', () => {
  it("has the authors' layout: Fourier features, time embedding shared by the hidden layers, LayerNorm, sigmoid", () => {
    const net = new ScoreNetwork({ dimension: 6, random: RandomStream.fromSeed(1) });
    // time branch 512·512 + 512; position 512·512 + 512; hidden 512: (512·512 + 512)·2 + 2·512; hidden 256: (512·256 + 256)·2 + 2·256; output 256·6 + 6.
    const expected =
      2 * (512 * 512 + 512) + 2 * (512 * 512 + 512) + 2 * 512 + 2 * (512 * 256 + 256) + 2 * 256 + 256 * 6 + 6;
    expect(net.size).toBe(expected);
  });

  it('backward equals central differences of the denoising loss through the whole network (float32, 1% of the largest gradient)', async () => {
    const net = new ScoreNetwork({
      dimension: 2,
      hidden: [5, 4],
      mappingSize: 3,
      fourierStd: 0.5,
      random: RandomStream.fromSeed(2),
    });
    const rows = 6;
    const random = RandomStream.fromSeed(3);
    const y = Float32Array.from({ length: rows * 2 }, () => random.normal());
    const s = Float32Array.from({ length: rows }, () => random.uniform());
    const c = Float32Array.from({ length: rows * 2 }, () => random.normal());
    const loss = async () => {
      const e = await net.forward(y, s, rows, kernels, false);
      let sum = 0;
      for (let i = 0; i < c.length; i++) sum += c[i]! * e.data[i]!;
      return sum;
    };
    await net.forward(y, s, rows, kernels, true);
    await net.backward({ rows, cols: 2, data: c }, kernels);
    const params = net.parameters();
    let worst = 0;
    let scale = 0;
    for (const p of params) {
      for (let i = 0; i < p.value.length; i += 3) {
        const analytic = p.grad[i]!;
        const keep = p.value[i]!;
        const h = 1e-2;
        p.value[i] = keep + h;
        const up = await loss();
        p.value[i] = keep - h;
        const down = await loss();
        p.value[i] = keep;
        const numeric = (up - down) / (2 * h);
        scale = Math.max(scale, Math.abs(numeric));
        worst = Math.max(worst, Math.abs(numeric - analytic));
      }
    }
    expect(worst).toBeLessThan(0.01 * scale);
  });

  it('a few epochs on Gaussian data bring S_NN toward S_tot and lower L_EM', async () => {
    const N = 512;
    const x = Float32Array.from(gaussian.sample(N, RandomStream.fromSeed(20)));
    const net = new ScoreNetwork({
      dimension: 2,
      hidden: [32, 16],
      mappingSize: 8,
      random: RandomStream.fromSeed(21),
    }).withKernels(kernels);
    const trainer = new EntropyMatchingTrainer(
      net,
      vp,
      x,
      N,
      { batchSize: 32, throws: 10, learningRate: 3e-3, likelihoodWeighting: false },
      kernels,
    );
    const star = new ExactExcessScore(gaussian, vp);
    const test = Float32Array.from(gaussian.sample(500, RandomStream.fromSeed(22)));
    const before = await entropyIntegrals(
      net,
      star,
      vp,
      test,
      500,
      gaussLegendreGrid(vp, 4, 4),
      RandomStream.fromSeed(23),
    );
    const losses: number[] = [];
    for (let e = 0; e < 5; e++) losses.push(await trainer.epoch(RandomStream.fromSeed(24).split(`epoch:${e}`)));
    const after = await entropyIntegrals(
      net,
      star,
      vp,
      test,
      500,
      gaussLegendreGrid(vp, 4, 4),
      RandomStream.fromSeed(23),
    );
    expect(losses[4]!).toBeLessThan(losses[0]!);
    expect(Math.abs(after.neural.value - after.total!.value)).toBeLessThan(
      0.5 * Math.abs(before.neural.value - before.total!.value),
    );
    expect(after.matching!.value).toBeLessThan(0.5 * before.matching!.value);
  });
});
