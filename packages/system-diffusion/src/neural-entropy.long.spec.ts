import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { GaussianEntropyProduction, MixtureEntropyProduction } from './entropy-production';
import { VariancePreservingProcess } from './forward-process';
import { isotropicGaussian, randomMixture, type GaussianMixture } from './gaussian-mixture';
import {
  EntropyMatchingTrainer,
  ExactExcessScore,
  entropyIntegrals,
  gaussLegendreGrid,
  reverseSample,
} from './neural-entropy';
import { gaussianFitDivergence, mmdCheck } from './sample-checks';
import { ScoreNetwork } from './score-network';

// Real training runs (minutes): the Neural Entropy must-holds on Gaussian data, and sample quality on a mixture.
// Network at a reduced size for 2 cores (hidden [128, 64], 32 Fourier frequencies per branch), N = 2048,
// batch 32 × 10 throws, Adam lr 5e-4, Polyak average 0.995; 60 epochs (Gaussian), 30 (mixture).
jest.setTimeout(30 * 60 * 1000);
const kernels = kernelsFor({ id: 'cpu' });
const vp = new VariancePreservingProcess('vp', 1);

async function train(data: GaussianMixture, epochs: number, seed: number) {
  const N = 2048;
  const x = Float32Array.from(data.sample(N, RandomStream.fromSeed(seed).split('train')));
  const net = new ScoreNetwork({
    dimension: data.dimension,
    hidden: [128, 64],
    mappingSize: 32,
    random: RandomStream.fromSeed(seed).split('net'),
  }).withKernels(kernels);
  const trainer = new EntropyMatchingTrainer(
    net,
    vp,
    x,
    N,
    { batchSize: 32, throws: 10, learningRate: 5e-4, likelihoodWeighting: false, averageDecay: 0.995 },
    kernels,
  );
  for (let e = 0; e < epochs; e++) await trainer.epoch(RandomStream.fromSeed(seed).split(`epoch:${e}`));
  return { net, trainer };
}

describe('trained score network, Gaussian data N((2, 1), 0.25 I), VP', () => {
  const data = isotropicGaussian([2, 1], 0.25);
  const exact = new GaussianEntropyProduction(data, vp).total(1);
  let result: Awaited<ReturnType<typeof entropyIntegrals>>;
  let samples: Float32Array;
  const sde: { steps: number; value: number; threshold: number; nullMean: number }[] = [];
  beforeAll(async () => {
    const { net, trainer } = await train(data, 60, 1);
    const M = 4000;
    const test = Float32Array.from(data.sample(M, RandomStream.fromSeed(2)));
    await trainer.withAverage(async () => {
      result = await entropyIntegrals(
        net,
        new ExactExcessScore(data, vp),
        vp,
        test,
        M,
        gaussLegendreGrid(vp),
        RandomStream.fromSeed(3),
      );
      samples = await reverseSample(net, vp, 2000, RandomStream.fromSeed(4), { method: 'ode', steps: 100 });
      for (const [seed, steps] of [
        [41, 400],
        [42, 400],
        [43, 400],
        [44, 400],
        [45, 1600],
      ] as const) {
        const x = await reverseSample(net, vp, 2000, RandomStream.fromSeed(seed).split('sde'), {
          method: 'sde',
          steps,
        });
        sde.push({ steps, ...gaussianFitDivergence(x, 2000, data, RandomStream.fromSeed(5)) });
      }
    });
    const ode = gaussianFitDivergence(samples, 2000, data, RandomStream.fromSeed(5));
    console.log(
      `Gaussian VP, 60 epochs: S_NN ${result.neural.value} ± ${result.neural.standardError}, exact S_tot ${exact}, MC S_tot ${result.total!.value}, L_EM ${result.matching!.value}, C ${result.cross!.value}; sample KL ode ${ode.value}, sde ${sde.map((c) => `${c.value} (${c.steps} steps)`).join(', ')} (threshold ${ode.threshold}, null mean ${ode.nullMean})`,
    );
  });

  // Measured (seed 1): S_NN = 0.96 S_tot after 60 epochs (3.009 ± 0.014) and still rising; tolerance 10 %.
  it('S_NN approaches S_tot: within 10 % of the exact 3.1355 nats', () => {
    expect(result.neural.value).toBeGreaterThan(0.9 * exact);
  });

  it('S_NN ≤ S_tot within 3 Monte Carlo standard errors', () => {
    expect(result.neural.value).toBeLessThan(exact + 3 * result.neural.standardError);
  });

  // At a stationary point C = S_NN, so L_EM + S_NN = S_tot; measured |L_EM + S_NN − S_tot| = 2.7 % at 60 epochs.
  it('L_EM + S_NN ≈ S_tot (same draws) within 5 %', () => {
    expect(Math.abs(result.matching!.value + result.neural.value - result.total!.value)).toBeLessThan(
      0.05 * result.total!.value,
    );
  });

  it('probability-flow samples recover p_d: KL of their Gaussian fit below the sampling-error threshold', () => {
    // Measured (seed 1, 60 epochs): 0.0030 against a threshold of 0.0036 (null mean 0.0011).
    const check = gaussianFitDivergence(samples, 2000, data, RandomStream.fromSeed(5));
    expect(check.value).toBeLessThan(check.threshold);
  });

  it('reverse-SDE samples miss p_d by the score error: KL within the Girsanov bound KL(p_T‖π) + L_EM, at any step count', () => {
    // The reverse SDE's output is bounded by the model's score error, KL(p_d‖p_θ) ≤ KL(p_T‖π) + L_EM (Girsanov), and
    // the bound is nearly tight for the SDE (neural-entropy.spec: e_θ = a·e*), so a threshold from sampling error
    // alone cannot be met while L_EM exceeds it; more steps do not change that (1600 steps as 400). Measured (seed 1,
    // 60 epochs, L_EM = 0.0280, KL(p_T‖π) = 0.0008): 0.0269, 0.0171, 0.0126, 0.0307 at 400 steps (four sampling
    // seeds), 0.0202 at 1600 steps; null mean 0.0011. Tolerance: 4 standard errors over the four 400-step seeds.
    const prior = new GaussianEntropyProduction(data, vp).divergenceFromEquilibrium(1);
    const at400 = sde.filter((c) => c.steps === 400).map((c) => c.value - c.nullMean);
    const mean = at400.reduce((a, b) => a + b, 0) / at400.length;
    const se = Math.sqrt(at400.reduce((a, b) => a + (b - mean) ** 2, 0) / (at400.length - 1) / at400.length);
    expect(mean).toBeLessThan(prior + result.matching!.value + 4 * se);
    const at1600 = sde.find((c) => c.steps === 1600)!;
    expect(at1600.value - at1600.nullMean).toBeLessThan(
      prior + result.matching!.value + 4 * se * Math.sqrt(at400.length),
    );
  });
});

describe("trained score network, the authors' random 5-component mixture in D = 3, VP", () => {
  it('S_NN ≤ S_tot (quadrature) within 3 SE, and SDE samples pass an MMD check with a sampling-error threshold', async () => {
    const data = randomMixture(3, RandomStream.fromSeed(32).split('mixture'));
    const { net, trainer } = await train(data, 30, 6);
    const total = new MixtureEntropyProduction(data, vp).total(1);
    const M = 2000;
    const test = Float32Array.from(data.sample(M, RandomStream.fromSeed(7)));
    await trainer.withAverage(async () => {
      const r = await entropyIntegrals(
        net,
        new ExactExcessScore(data, vp),
        vp,
        test,
        M,
        gaussLegendreGrid(vp),
        RandomStream.fromSeed(8),
      );
      expect(r.neural.value).toBeLessThan(total + 3 * r.neural.standardError);
      expect(r.neural.value).toBeGreaterThan(0.8 * total);
      const samples = await reverseSample(net, vp, 1000, RandomStream.fromSeed(9), { method: 'sde', steps: 400 });
      const check = mmdCheck(samples, 1000, data, RandomStream.fromSeed(10));
      console.log(
        `mixture D = 3, VP, 30 epochs: S_NN ${r.neural.value} ± ${r.neural.standardError}, S_tot ${total}, L_EM ${r.matching!.value}; MMD² ${check.value} (threshold ${check.threshold}, null mean ${check.nullMean})`,
      );
      expect(check.value).toBeLessThan(check.threshold);
    });
  });
});
