import { Observable } from 'rxjs';
import {
  METRICS_KIND,
  z,
  type MetricValue,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { createDataSource, dataSchema } from './data-source';
import { entropyProductionOf, defaultExpectation, MixtureEntropyProduction } from './entropy-production';
import { createProcess, processSchema } from './forward-process';
import {
  ExactExcessScore,
  EntropyMatchingTrainer,
  authorsGrid,
  entropyIntegrals,
  gaussLegendreGrid,
  likelihoodBound,
  reverseSample,
} from './neural-entropy';
import { ScoreNetwork } from './score-network';
import { gaussianFitDivergence, mmdCheck } from './sample-checks';
import { DIFFUSION_PARAMETER_WORDS, DIFFUSION_VALUE_WORDS } from './diffusion-system';

export const neuralEntropyParamsSchema = z
  .object({
    process: processSchema.default({ kind: 'vp', kappa: 1, betaMin: 0.1, betaMax: 16 }),
    data: dataSchema,
    samples: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .optional()
      .describe('Training set size N (default 8192 as the authors; MNIST: 10·n_c)'),
    network: z
      .object({
        hidden: z
          .array(z.number().int().min(1).max(8192))
          .min(1)
          .default([512, 256])
          .describe('Hidden widths (authors: [512, 256])'),
        mappingSize: z
          .number()
          .int()
          .min(1)
          .max(4096)
          .default(256)
          .describe('Fourier frequencies per branch M (authors: 256)'),
        fourierStd: z
          .number()
          .min(0)
          .default(0.1)
          .describe("Standard deviation of the frozen frequencies (authors: 10 × Flax normal()'s 0.01)"),
      })
      .strict()
      .default({ hidden: [512, 256], mappingSize: 256, fourierStd: 0.1 }),
    training: z
      .object({
        batchSize: z.number().int().min(1).max(65536).default(32).describe('Data points per step (authors: 32)'),
        throws: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(10)
          .describe('(s, z) throws per data point n_s (authors: 10 for mixtures)'),
        learningRate: z.number().positive().max(1).default(1e-4).describe('Adam learning rate (authors: 1e-4)'),
        likelihoodWeighting: z.boolean().default(false).describe('λ(s) = σ²/(2Σ²) instead of 1 (authors: false)'),
        epochSteps: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .optional()
          .describe(
            'Optimiser steps per epoch over successive reshuffled passes (absent: one pass over the data, as the authors); equal steps for every N in a sweep over samples',
          ),
        averageDecay: z
          .number()
          .min(0)
          .max(0.999999)
          .optional()
          .describe(
            'Measure an exponential moving average of the parameters with this decay per step (Polyak averaging; absent = the raw parameters, as the authors)',
          ),
      })
      .strict()
      .default({ batchSize: 32, throws: 10, learningRate: 1e-4, likelihoodWeighting: false }),
    checkpoints: z
      .array(z.number().int().min(0).max(100_000))
      .min(1)
      .default([0, 5, 10, 20])
      .describe(
        'Epochs at which the network is measured (strictly increasing; 0 = at initialisation); one `epoch` site each',
      ),
    estimator: z
      .object({
        grid: z
          .enum(['authors', 'gauss-legendre'])
          .default('gauss-legendre')
          .describe(
            "'authors': linspace(1e-5, T, points), trapezoid, second-to-last cumulative value; 'gauss-legendre': composite Gauss–Legendre over the training range",
          ),
        points: z
          .number()
          .int()
          .min(3)
          .max(10_000)
          .default(100)
          .describe("Grid points of 'authors' (authors: 100 for mixtures, 500 for images)"),
        testSamples: z
          .number()
          .int()
          .min(10)
          .max(1_000_000)
          .default(2000)
          .describe('Fresh test samples x ~ p_d for the Monte Carlo (authors: 10 000; MNIST: the training images)'),
      })
      .strict()
      .default({ grid: 'gauss-legendre', points: 100, testSamples: 2000 }),
    likelihood: z
      .object({
        samples: z
          .number()
          .int()
          .min(2)
          .max(100_000)
          .default(200)
          .describe('Test points for KL(p_d‖p_θ) (authors: 10 000)'),
        throws: z.number().int().min(2).max(100_000).default(500).describe('(s, z) draws per point (authors: 10 000)'),
      })
      .strict()
      .optional()
      .describe(
        "The authors' likelihood bound and KL(p_d‖p_θ) ≤ mean[ln p_d − bound] (synthetic data only) at each checkpoint",
      ),
    sampling: z
      .object({
        method: z
          .enum(['sde', 'ode'])
          .default('ode')
          .describe("Reverse-time 'sde' (Euler–Maruyama) or probability-flow 'ode' (RK4)"),
        samples: z.number().int().min(10).max(100_000).default(1000),
        steps: z.number().int().min(1).max(100_000).default(200),
      })
      .strict()
      .optional()
      .describe(
        'Draw samples from the trained model at the last checkpoint and compare them with p_d (Gaussian: KL of the Gaussian fit; mixtures: MMD), with a threshold from the sampling error',
      ),
    entropySamples: z
      .number()
      .int()
      .min(100)
      .max(10_000_000)
      .default(20_000)
      .describe('Monte Carlo samples for the exact S_tot of mixtures in D > 3'),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (let i = 1; i < p.checkpoints.length; i++)
      if (!(p.checkpoints[i]! > p.checkpoints[i - 1]!))
        ctx.addIssue({
          code: 'custom',
          message: `expected strictly increasing epochs, got ${p.checkpoints[i - 1]} then ${p.checkpoints[i]}`,
          path: ['checkpoints', i],
        });
    if (p.data.kind === 'mnist' && p.samples !== undefined && p.samples !== 10 * p.data.perClass)
      ctx.addIssue({
        code: 'custom',
        message: `MNIST subsets hold 10·perClass = ${10 * p.data.perClass} images; omit samples or set it to that`,
        path: ['samples'],
      });
    if (p.data.kind === 'mnist' && (p.likelihood || p.sampling))
      ctx.addIssue({
        code: 'custom',
        message: 'likelihood and sampling checks need the exact data density (synthetic data)',
        path: [p.likelihood ? 'likelihood' : 'sampling'],
      });
  });
export type NeuralEntropyParams = z.infer<typeof neuralEntropyParamsSchema>;

/**
 * Trains the Neural Entropy authors' score network (entropy-matching parametrisation, denoising score matching,
 * Adam) on N samples of p_d and measures it at checkpoint epochs (site axis `epoch`), as `metrics` observations:
 * `train-loss`, `neural-entropy` S_NN(T) = ∫(σ²/2)E‖e_θ‖² and, for synthetic data, `total-entropy` (exact S_tot:
 * closed form or quadrature), `total-entropy-mc` (the same Monte Carlo with the exact e*, on the same draws),
 * `entropy-matching-loss` L_EM = ∫(σ²/2)E‖e* − e_θ‖², `matching-plus-neural` L_EM + S_NN (≈ S_tot at convergence),
 * `cross-term` C (L_EM = S_tot − 2C + S_NN); optionally `kl-bound` (KL(p_d‖p_θ) upper estimate from the likelihood
 * bound) and, at the last checkpoint, `sample-kl` / `sample-mmd2` with their `…-threshold`. Premkumar, "Neural
 * Entropy", arXiv:2409.03817; authors' code akhilprem1/NeuralEntropy.
 */
export class NeuralEntropySystem implements System {
  constructor(
    private readonly params: NeuralEntropyParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      let cancelled = false;
      const run = async () => {
        const { signal, progress } = this.context;
        const check = () => {
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
        };
        check();
        const p = this.params;
        const random = this.context.random;
        const kernels = kernelsFor(this.context.backend);
        const process = createProcess(p.process);
        const source = createDataSource(p.data, random.split('data'));
        const D = source.dimension;
        const N = source.fixedCount ?? p.samples ?? 8192;
        const train = Float32Array.from(source.sample(N, random.split('train')));
        const exactData = source.distribution;
        const M = exactData ? p.estimator.testSamples : N;
        const test = exactData ? Float32Array.from(exactData.sample(M, random.split('test'))) : train;
        const network = new ScoreNetwork({
          dimension: D,
          hidden: p.network.hidden,
          mappingSize: p.network.mappingSize,
          fourierStd: p.network.fourierStd,
          random: random.split('network'),
        }).withKernels(kernels);
        const trainer = new EntropyMatchingTrainer(network, process, train, N, p.training, kernels);
        const star = exactData ? new ExactExcessScore(exactData, process) : undefined;
        const grid =
          p.estimator.grid === 'authors'
            ? authorsGrid(p.estimator.points, process.horizon)
            : gaussLegendreGrid(process);
        // Exact S_tot over [0, T] (closed form, quadrature, or Monte Carlo above D = 3).
        let totalExact: { value: number; error?: number; method: string } | undefined;
        if (exactData) {
          if (exactData.isGaussian || defaultExpectation(D)) {
            const ep = entropyProductionOf(exactData, process);
            totalExact = { value: ep.total(process.horizon), method: ep.method };
          } else {
            const stream = random.split('entropy-production');
            const mc = (label: string) =>
              new MixtureEntropyProduction(exactData, process, {
                use: 'monte-carlo',
                samples: p.entropySamples,
                random: stream.split(label),
              });
            const a = mc('kl:0').divergenceWithError(0);
            const b = mc('kl:T').divergenceWithError(process.horizon);
            totalExact = {
              value: a.value - b.value,
              error: Math.hypot(a.error, b.error),
              method: `monte-carlo:${p.entropySamples}`,
            };
          }
        }
        const lastEpoch = p.checkpoints[p.checkpoints.length - 1]!;
        let lastLoss: number | undefined;
        let epoch = 0;
        for (const [c, target] of p.checkpoints.entries()) {
          while (epoch < target) {
            if (cancelled) return;
            check();
            const e = epoch;
            lastLoss = await trainer.epoch(random.split(`epoch:${e}`), signal, (f) =>
              progress?.((e + f) / Math.max(1, lastEpoch), `epoch ${e + 1}/${lastEpoch}`),
            );
            epoch++;
            progress?.(epoch / Math.max(1, lastEpoch), `epoch ${epoch}/${lastEpoch}`);
          }
          check();
          const metrics: MetricValue[] = [];
          const nat = 'nat';
          if (lastLoss !== undefined && target > 0)
            metrics.push({
              name: 'train-loss',
              value: lastLoss,
              unit: 'dimensionless',
              description: `mean denoising score-matching loss over the steps of epoch ${target} (λ ${p.training.likelihoodWeighting ? '= σ²/(2Σ²)' : '= 1'})`,
            });
          await trainer.withAverage(async () => {
            const integrals = await entropyIntegrals(
              network,
              star,
              process,
              test,
              M,
              grid,
              random.split(`measure:${target}`),
            );
            metrics.push({
              name: 'neural-entropy',
              value: integrals.neural.value,
              unit: nat,
              n: M,
              uncertainty: integrals.neural.standardError,
              description: `S_NN = ∫(σ²/2)E‖e_θ‖² ds on ${grid.id}, ${M} test points`,
            });
            if (integrals.total) {
              metrics.push({
                name: 'total-entropy',
                value: totalExact!.value,
                unit: nat,
                n: null,
                ...(totalExact!.error !== undefined && { uncertainty: totalExact!.error }),
                description: `exact S_tot(T) = KL(p_d‖p_eq) − KL(p_T‖p_eq) (${totalExact!.method})`,
              });
              metrics.push({
                name: 'total-entropy-mc',
                value: integrals.total.value,
                unit: nat,
                n: M,
                uncertainty: integrals.total.standardError,
                description: `∫(σ²/2)E‖e*‖² ds with the exact excess score on the same draws and grid (the authors' "analytic" estimate)`,
              });
              metrics.push({
                name: 'entropy-matching-loss',
                value: integrals.matching!.value,
                unit: nat,
                n: M,
                uncertainty: integrals.matching!.standardError,
                description: 'L_EM = ∫(σ²/2)E‖e* − e_θ‖² ds, same draws',
              });
              metrics.push({
                name: 'matching-plus-neural',
                value: integrals.matching!.value + integrals.neural.value,
                unit: nat,
                n: M,
                description: 'L_EM + S_NN (→ S_tot at convergence)',
              });
              metrics.push({
                name: 'cross-term',
                value: integrals.cross!.value,
                unit: nat,
                n: M,
                uncertainty: integrals.cross!.standardError,
                description: 'C = ∫(σ²/2)E[e*·e_θ] ds (= S_NN at a stationary point)',
              });
            }
            if (p.likelihood && exactData) {
              const n = p.likelihood.samples;
              const points = test.subarray(0, n * D);
              const { bound } = await likelihoodBound(
                network,
                process,
                points,
                n,
                p.likelihood.throws,
                random.split(`likelihood:${target}`),
              );
              const pt = new Float64Array(D);
              const gaps = new Float64Array(n);
              for (let r = 0; r < n; r++) {
                for (let i = 0; i < D; i++) pt[i] = points[r * D + i]!;
                gaps[r] = exactData.logDensity(pt) - bound[r]!;
              }
              const mean = gaps.reduce((a, b) => a + b, 0) / n;
              const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
              metrics.push({
                name: 'kl-bound',
                value: mean,
                unit: nat,
                n,
                uncertainty: sd / Math.sqrt(n),
                description: `mean[ln p_d(x) − bound(x)] over ${n} points, ${p.likelihood.throws} throws each: an upper estimate of KL(p_d‖p_θ)`,
              });
            }
            if (p.sampling && exactData && target === lastEpoch) {
              const generated = await reverseSample(network, process, p.sampling.samples, random.split('sampling'), {
                method: p.sampling.method,
                steps: p.sampling.steps,
              });
              if (exactData.isGaussian) {
                const r = gaussianFitDivergence(
                  generated,
                  p.sampling.samples,
                  exactData,
                  random.split('sampling-null'),
                );
                metrics.push({
                  name: 'sample-kl',
                  value: r.value,
                  unit: nat,
                  n: p.sampling.samples,
                  description: `KL(Gaussian fit of ${p.sampling.samples} ${p.sampling.method} samples ‖ p_d)`,
                });
                metrics.push({
                  name: 'sample-kl-threshold',
                  value: r.threshold,
                  unit: nat,
                  n: p.sampling.samples,
                  description: `null mean + 4 sd of the same statistic over ${r.replicates} sets of exact samples`,
                });
              } else {
                const r = mmdCheck(generated, p.sampling.samples, exactData, random.split('sampling-null'));
                metrics.push({
                  name: 'sample-mmd2',
                  value: r.value,
                  unit: 'dimensionless',
                  n: p.sampling.samples,
                  description: `unbiased MMD² (Gaussian kernel, bandwidth ${r.bandwidth.toPrecision(3)}) between ${p.sampling.samples} ${p.sampling.method} samples and fresh data`,
                });
                metrics.push({
                  name: 'sample-mmd2-threshold',
                  value: r.threshold,
                  unit: 'dimensionless',
                  n: p.sampling.samples,
                  description: `null mean + 4 sd of MMD² between independent data sets, ${r.replicates} replicates`,
                });
              }
            }
          });
          subscriber.next({
            system: this.context.name,
            site: { axis: 'epoch', index: target, label: `epoch ${target}` },
            kind: METRICS_KIND,
            shape: [],
            metrics,
            meta: {
              epoch: target,
              process: {
                ...p.process,
                description: process.describe(),
                equilibriumVariance: process.equilibriumVariance,
              },
              dimension: D,
              trainingSamples: N,
              parameters: network.size,
              grid: grid.id,
              ...(c === 0 && { data: source.description }),
            },
          });
        }
        subscriber.complete();
      };
      run().catch((error) => subscriber.error(error));
      return () => {
        cancelled = true;
      };
    });
  }
}

export const neuralEntropyDescriptor: SystemDescriptor<NeuralEntropyParams> = {
  id: 'neural-entropy',
  version: '1.0.0',
  summary:
    "Trains the Neural Entropy authors' score network (entropy matching, denoising score matching, Adam) and records S_NN, S_tot, L_EM, the likelihood bound and sample checks per checkpoint epoch",
  citation: 'Premkumar, Neural Entropy, arXiv:2409.03817 (2024); code akhilprem1/NeuralEntropy',
  display: {
    name: 'Entropy-matching score network',
    parameters: {
      ...DIFFUSION_PARAMETER_WORDS,
      samples: { name: 'training samples', symbol: 'N' },
      'network.hidden': { name: 'hidden widths' },
      'network.mappingSize': { name: 'Fourier frequencies', symbol: 'M' },
      'network.fourierStd': { name: 'frequency standard deviation' },
      'training.batchSize': { name: 'batch size' },
      'training.throws': { name: 'throws per point', symbol: 'n_s' },
      'training.learningRate': { name: 'learning rate', symbol: 'η' },
      'training.likelihoodWeighting': { name: 'likelihood weighting' },
      'training.epochSteps': { name: 'steps per epoch' },
      'training.averageDecay': { name: 'parameter-average decay' },
      checkpoints: { name: 'checkpoint epochs' },
      'estimator.grid': { name: 'time grid' },
      'estimator.points': { name: 'grid points' },
      'estimator.testSamples': { name: 'test samples' },
      'likelihood.samples': { name: 'likelihood test points' },
      'likelihood.throws': { name: 'likelihood draws per point' },
    },
    axes: { epoch: { name: 'epoch', symbol: 't' } },
    // Words for the metrics this system records (a figure names its axis and legend by them, not by the probe).
    values: {
      ...DIFFUSION_VALUE_WORDS,
      'neural-entropy': 'neural entropy S_NN',
      'total-entropy': 'entropy production S_tot',
      'total-entropy-mc': 'S_tot on the same draws',
      'entropy-matching-loss': 'entropy-matching loss L_EM',
      'matching-plus-neural': 'L_EM + S_NN',
      'cross-term': 'cross term C',
      'kl-bound': 'bound on KL(p_d‖p_θ)',
      'sample-kl': 'KL of the samples’ Gaussian fit',
      'sample-kl-threshold': 'KL threshold (sampling error)',
      'sample-mmd2': 'MMD² of the samples',
      'sample-mmd2-threshold': 'MMD² threshold (sampling error)',
    },
  },
  paramsSchema: neuralEntropyParamsSchema as unknown as z.ZodType<NeuralEntropyParams>,
  provides: () => ({ axes: ['epoch'], kinds: [METRICS_KIND], exact: [] }),
  create: (params, context) => new NeuralEntropySystem(params, context),
};
