import { Observable } from 'rxjs';
import {
  z,
  type GaussianExact,
  type Observation,
  type RunContext,
  type System,
  type SystemDescriptor,
} from '@entroscope/core';
import { createDataSource, dataSchema } from './data-source';
import {
  GaussianEntropyProduction,
  MixtureEntropyProduction,
  defaultExpectation,
  type EntropyProduction,
} from './entropy-production';
import { createProcess, processSchema, type ForwardProcess } from './forward-process';
import type { GaussianMixture } from './gaussian-mixture';

/** Words for the parameters both diffusion descriptors share (process, data), for figure legends and axes. */
export const DIFFUSION_PARAMETER_WORDS = {
  process: { name: 'process' },
  'process.kind': { name: 'process' },
  'process.kappa': { name: 'equilibrium standard deviation', symbol: 'κ' },
  'process.sigma0': { name: 'equilibrium standard deviation', symbol: 'Σ₀' },
  'process.betaMin': { symbol: 'β_min' },
  'process.betaMax': { symbol: 'β_max' },
  data: { name: 'data' },
  'data.kind': { name: 'data' },
  'data.mean': { name: 'mean', symbol: 'm' },
  'data.variance': { name: 'variance', symbol: 's_d²' },
  'data.dimension': { name: 'dimension', symbol: 'D' },
  'data.components': { name: 'components', symbol: 'n_r' },
  'data.box': { name: 'box' },
  'data.stdRange': { name: 'standard deviations' },
  'data.perClass': { name: 'images per class', symbol: 'n_c' },
  'data.pool': { name: 'pooling' },
  'data.split': { name: 'split' },
  samples: { name: 'samples', symbol: 'N' },
  entropySamples: { name: 'Monte Carlo samples of the entropy production' },
} as const;

/** Words for the ids among the diffusion descriptors' parameter values. */
export const DIFFUSION_VALUE_WORDS = {
  vp: 'VP',
  vpx: 'VPx',
  sl: 'straight line (SL)',
  gaussian: 'Gaussian',
  mixture: 'Gaussian mixture',
  'random-mixture': 'random Gaussian mixture',
  bimodal: 'bimodal oracle',
  mnist: 'MNIST subset',
  samples: 'x_s',
  pair: '(x₀, x_s)',
  authors: "the authors' grid",
  'gauss-legendre': 'Gauss–Legendre',
  train: 'training set',
  test: 'test set',
} as const;

export const DEFAULT_TIMES = [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1];

export const diffusionParamsSchema = z
  .object({
    process: processSchema.default({ kind: 'vp', kappa: 1, betaMin: 0.1, betaMax: 16 }),
    data: dataSchema,
    samples: z
      .number()
      .int()
      .min(2)
      .max(1_000_000)
      .optional()
      .describe('Number of data samples x₀ (default 4096; MNIST: all 10·n_c images)'),
    times: z
      .array(z.number().min(0).max(1))
      .min(1)
      .max(10_000)
      .default(DEFAULT_TIMES)
      .describe('Diffusion times s ∈ [0, T = 1], strictly increasing: one `time` site each'),
    emit: z
      .enum(['samples', 'pair'])
      .default('samples')
      .describe(
        "'samples': x_s [N, D] at each site; 'pair': (x₀, x_s) side by side [N, 2D] (columns 0…D−1 are x₀), for mutual information I(x₀; x_s)",
      ),
    entropySamples: z
      .number()
      .int()
      .min(100)
      .max(10_000_000)
      .default(10_000)
      .describe('Monte Carlo samples for KL(p_s‖p_eq) and Ṡ of mixtures in D > 3 (quadrature below)'),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (let i = 1; i < p.times.length; i++)
      if (!(p.times[i]! > p.times[i - 1]!))
        ctx.addIssue({
          code: 'custom',
          message: `expected strictly increasing times, got ${p.times[i - 1]} then ${p.times[i]}`,
          path: ['times', i],
        });
    if (p.data.kind === 'mnist' && p.samples !== undefined && p.samples !== 10 * p.data.perClass)
      ctx.addIssue({
        code: 'custom',
        message: `MNIST subsets hold 10·perClass = ${10 * p.data.perClass} images; omit samples or set it to that`,
        path: ['samples'],
      });
  });
export type DiffusionParams = z.infer<typeof diffusionParamsSchema>;

/** Per-site entropy-production facts in Observation.meta.entropyProduction (nats; rate in nats per unit time). */
export interface SiteEntropyProduction {
  readonly method: string;
  /** Ṡ(s). */
  readonly rate: number;
  /** KL(p_s ‖ p_eq). */
  readonly divergenceFromEquilibrium: number;
  /** S_tot(s) = KL(p_0‖p_eq) − KL(p_s‖p_eq). */
  readonly total: number;
  /** Monte Carlo standard errors (absent for closed forms and quadrature). */
  readonly uncertainty?: { readonly rate: number; readonly divergenceFromEquilibrium: number; readonly total: number };
}

/** The exact entropy production of the configured data, or undefined (MNIST). */
export function siteEntropyProduction(
  params: DiffusionParams,
  context: RunContext,
  process: ForwardProcess,
  distribution: GaussianMixture | undefined,
): ((s: number, index: number) => SiteEntropyProduction) | undefined {
  if (!distribution) return undefined;
  if (distribution.isGaussian) {
    const g: EntropyProduction = new GaussianEntropyProduction(distribution, process);
    return (s) => ({
      method: g.method,
      rate: g.rate(s),
      divergenceFromEquilibrium: g.divergenceFromEquilibrium(s),
      total: g.total(s),
    });
  }
  const deterministic = defaultExpectation(distribution.dimension);
  if (deterministic) {
    const m = new MixtureEntropyProduction(distribution, process, deterministic);
    const kl0 = m.divergenceFromEquilibrium(0);
    return (s) => {
      const kl = m.divergenceFromEquilibrium(s);
      return { method: m.method, rate: m.rate(s), divergenceFromEquilibrium: kl, total: kl0 - kl };
    };
  }
  const stream = context.random.split('entropy-production');
  const mc = (label: string) =>
    new MixtureEntropyProduction(distribution, process, {
      use: 'monte-carlo',
      samples: params.entropySamples,
      random: stream.split(label),
    });
  const start = mc('kl:0').divergenceWithError(0);
  return (s, index) => {
    const kl = mc(`kl:${index}`).divergenceWithError(s);
    const rate = mc(`rate:${index}`).rateWithError(s);
    return {
      method: `monte-carlo:${params.entropySamples}`,
      rate: rate.value,
      divergenceFromEquilibrium: kl.value,
      total: start.value - kl.value,
      uncertainty: { rate: rate.error, divergenceFromEquilibrium: kl.error, total: Math.hypot(start.error, kl.error) },
    };
  };
}

/**
 * Forward diffusion of a data distribution (Premkumar, "Neural Entropy", arXiv:2409.03817): N samples x₀ ~ p_d are
 * drawn once (MNIST: the class-balanced subset), and at each diffusion time s (site axis `time`) the system emits
 * x_s = μ(s) x₀ + Σ(s) z with fresh z ~ N(0, I) per site, as `samples` [N, D] (or (x₀, x_s) side by side, [N, 2D]).
 * For Gaussian data the exact marginal N(μ m, μ² C + Σ² I) (or the joint of (x₀, x_s)) is attached as a `gaussian`
 * exact description, so generic relative-entropy, entropy and mutual-information probes run on diffusion times.
 * meta carries the process (μ, Σ, σ², p_eq) and the exact entropy production Ṡ(s), KL(p_s‖p_eq) and S_tot(s):
 * closed form for Gaussians, quadrature of the exact mixture score for mixtures in D ≤ 3, Monte Carlo with standard
 * errors above; none for MNIST (its p_d is empirical).
 */
export class DiffusionSystem implements System {
  constructor(
    private readonly params: DiffusionParams,
    private readonly context: RunContext,
  ) {}

  observe(): Observable<Observation> {
    return new Observable<Observation>((subscriber) => {
      let cancelled = false;
      const run = () => {
        const { signal } = this.context;
        const check = () => {
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
        };
        check();
        const p = this.params;
        const random = this.context.random;
        const process = createProcess(p.process);
        const source = createDataSource(p.data, random.split('data'));
        const D = source.dimension;
        const N = source.fixedCount ?? p.samples ?? 4096;
        const x0 = source.sample(N, random.split('x0'));
        const production = siteEntropyProduction(p, this.context, process, source.distribution);
        const gaussian = source.distribution?.isGaussian ? source.distribution.components[0]! : undefined;
        const width = p.emit === 'pair' ? 2 * D : D;
        for (let index = 0; index < p.times.length; index++) {
          if (cancelled) return;
          check();
          const s = p.times[index]!;
          const mu = process.mean(s);
          const std = process.std(s);
          const noise = random.split(`noise:${index}`);
          const data = x0 instanceof Float32Array ? new Float32Array(N * width) : new Float64Array(N * width);
          for (let r = 0; r < N; r++) {
            const out = r * width + (p.emit === 'pair' ? D : 0);
            for (let i = 0; i < D; i++) {
              const x = x0[r * D + i]!;
              if (p.emit === 'pair') data[r * width + i] = x;
              data[out + i] = mu * x + std * noise.normal();
            }
          }
          let exact: GaussianExact | undefined;
          if (gaussian) {
            const covariance = new Float64Array(width * width);
            const mean = new Float64Array(width);
            const off = p.emit === 'pair' ? D : 0;
            for (let i = 0; i < D; i++) {
              const c = gaussian.variance[i]!;
              mean[off + i] = mu * gaussian.mean[i]!;
              covariance[(off + i) * width + off + i] = mu * mu * c + std * std;
              if (p.emit === 'pair') {
                mean[i] = gaussian.mean[i]!;
                covariance[i * width + i] = c;
                covariance[i * width + off + i] = covariance[(off + i) * width + i] = mu * c;
              }
            }
            exact = { type: 'gaussian', mean, covariance, dimension: width };
          }
          subscriber.next({
            system: this.context.name,
            site: { axis: 'time', index, position: s, label: `s=${s}` },
            kind: 'samples',
            data,
            shape: [N, width],
            ...(exact && { exact }),
            meta: {
              time: s,
              process: {
                ...p.process,
                description: process.describe(),
                mean: mu,
                std,
                diffusion2: process.diffusion2(s),
                equilibriumVariance: process.equilibriumVariance,
              },
              dimension: D,
              ...(p.emit === 'pair' && { blocks: { x0: [0, D], xs: [D, 2 * D] } }),
              ...(index === 0 && { data: source.description }),
              ...(production && { entropyProduction: production(s, index) }),
            },
          });
          this.context.progress?.((index + 1) / p.times.length, `s = ${s}`);
        }
        subscriber.complete();
      };
      try {
        run();
      } catch (error) {
        subscriber.error(error);
      }
      return () => {
        cancelled = true;
      };
    });
  }
}

export const diffusionDescriptor: SystemDescriptor<DiffusionParams> = {
  id: 'diffusion',
  version: '1.0.0',
  summary:
    'Forward diffusion (VP, VPx, straight line) of Gaussian, mixture or MNIST data: samples of x_s at diffusion times, exact marginals for Gaussians, exact entropy production in meta',
  citation: 'Premkumar, Neural Entropy, arXiv:2409.03817 (2024); Song et al. arXiv:2011.13456 (score SDEs)',
  display: {
    name: 'Forward diffusion',
    parameters: { ...DIFFUSION_PARAMETER_WORDS, times: { name: 'diffusion times' }, emit: { name: 'emitted' } },
    axes: { time: { name: 'diffusion time', symbol: 's' } },
    values: DIFFUSION_VALUE_WORDS,
  },
  paramsSchema: diffusionParamsSchema as unknown as z.ZodType<DiffusionParams>,
  provides: (params) => ({
    axes: ['time'],
    kinds: ['samples'],
    exact: params.data.kind === 'gaussian' ? ['gaussian'] : [],
  }),
  create: (params, context) => new DiffusionSystem(params, context),
};
