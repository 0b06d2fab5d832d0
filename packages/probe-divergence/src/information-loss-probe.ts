import { map, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
} from '@entroscope/core';
import { millerMadowEntropy, plugInEntropy } from '@entroscope/estimators';
import { sampleUnits, unitStandardError } from './sample-units';

export const informationLossParamsSchema = z
  .object({
    estimator: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('plug-in'),
            correction: z
              .enum(['none', 'miller-madow'])
              .default('miller-madow')
              .describe('Bias correction of the two plug-in entropies'),
            bootstrap: z
              .number()
              .int()
              .min(0)
              .max(10_000)
              .default(100)
              .describe('Bootstrap resamples of configurations (0: no standard error)'),
          })
          .strict(),
        z
          .object({
            use: z.literal('local-field'),
            bootstrap: z
              .number()
              .int()
              .min(0)
              .max(10_000)
              .default(100)
              .describe('Bootstrap resamples of configurations (0: no standard error)'),
          })
          .strict(),
      ])
      .default({ use: 'plug-in', correction: 'miller-madow', bootstrap: 100 })
      .describe(
        "'plug-in': Ĥ(s₀ | s₁…s₄) from pattern counts (any spin data); 'local-field': E_S[ln 2cosh KS − KS tanh KS] with K from the site's exact nearest-neighbour description",
      ),
    parity: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('Checkerboard sublattice that is decimated ((i + j) mod 2)'),
  })
  .strict();
export type InformationLossParams = z.infer<typeof informationLossParamsSchema>;

/**
 * Counts of (decimated spin, its four neighbours) over the sites of one checkerboard parity of L × L periodic
 * configurations. Index: ((s₀ > 0) << 4) | pattern, pattern = bits of (up, down, left, right) > 0. Per
 * configuration, so bootstrap can resample configurations.
 */
export function neighbourhoodCounts(data: ArrayLike<number>, count: number, L: number, parity: 0 | 1): Float64Array[] {
  const out: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    const counts = new Float64Array(32);
    const base = c * L * L;
    for (let i = 0; i < L; i++) {
      const up = base + ((i + L - 1) % L) * L;
      const down = base + ((i + 1) % L) * L;
      const row = base + i * L;
      for (let j = (i + parity) & 1; j < L; j += 2) {
        const left = row + (j === 0 ? L - 1 : j - 1);
        const right = row + (j === L - 1 ? 0 : j + 1);
        const pattern =
          (data[up + j]! > 0 ? 8 : 0) |
          (data[down + j]! > 0 ? 4 : 0) |
          (data[left]! > 0 ? 2 : 0) |
          (data[right]! > 0 ? 1 : 0);
        counts[(data[row + j]! > 0 ? 16 : 0) | pattern]!++;
      }
    }
    out.push(counts);
  }
  return out;
}

function pooled(perConfiguration: Float64Array[], selection?: Uint32Array): Float64Array {
  const total = new Float64Array(32);
  const n = selection ? selection.length : perConfiguration.length;
  for (let k = 0; k < n; k++) {
    const counts = perConfiguration[selection ? selection[k]! : k]!;
    for (let b = 0; b < 32; b++) total[b]! += counts[b]!;
  }
  return total;
}

/** Ĥ(s₀ | neighbours) = Ĥ(s₀, neighbours) − Ĥ(neighbours), nats per decimated spin. */
export function conditionalEntropyPlugIn(counts: Float64Array, correction: 'none' | 'miller-madow'): number {
  const marginal = new Float64Array(16);
  let total = 0;
  for (let b = 0; b < 32; b++) {
    marginal[b & 15]! += counts[b]!;
    total += counts[b]!;
  }
  const H = correction === 'none' ? plugInEntropy : millerMadowEntropy;
  return H(counts, total) - H(marginal, total);
}

/**
 * Model-based estimate: h(K) = Σ_S P̂(S) [ln 2cosh KS − KS tanh KS], exact given P(S) when the spins are drawn
 * from the nearest-neighbour model at K (the decimated spin is then conditionally e^{K s₀ S}/2cosh KS).
 */
export function localFieldInformationLoss(counts: Float64Array, K: number): number {
  let total = 0;
  let h = 0;
  for (let b = 0; b < 32; b++) {
    const c = counts[b]!;
    if (c === 0) continue;
    const pattern = b & 15;
    const S = (pattern & 8 ? 1 : -1) + (pattern & 4 ? 1 : -1) + (pattern & 2 ? 1 : -1) + (pattern & 1 ? 1 : -1);
    const x = K * S;
    const a = Math.abs(x);
    h += c * (a + Math.log1p(Math.exp(-2 * a)) - x * Math.tanh(x));
    total += c;
  }
  return h / total;
}

/**
 * Information lost per checkerboard decimation step: the conditional entropy of a decimated spin given the kept
 * spins, H(decimated | kept) per decimated spin (docs/science/rg-ising.md §2.6), 0 ≤ h ≤ ln 2. Decimated spins are
 * conditionally independent given the kept ones, and for a nearest-neighbour model the condition reduces to the
 * four neighbours; for other distributions (block spins, decimated lattices) the plug-in value is an upper bound
 * on H(decimated | all kept). Its K-derivative involves energy fluctuations, so it reacts to the transition.
 * The bootstrap resamples whole configurations, in moving blocks when the system reports an effective sample size
 * below their number (a correlated chain).
 */
export class InformationLossProbe implements Probe {
  readonly id = 'information-loss';
  readonly estimator: string;

  constructor(
    private readonly params: InformationLossParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(map((o) => this.measure(o)));
  }

  private measure(o: Observation): Measurement {
    const where = `site ${o.site.axis}=${o.site.index}`;
    if (!o.data || o.shape.length !== 3 || o.shape[1] !== o.shape[2] || o.shape[1]! % 2 !== 0) {
      throw new ProbeDataError(
        this.id,
        `${where}: needs L × L spin configurations (L even) of shape [count, L, L], got ${o.data ? `shape [${o.shape.join(', ')}]` : 'no samples'} (set the system's layout to 'lattice')`,
      );
    }
    const [count, L] = o.shape as [number, number, number];
    const perConfiguration = neighbourhoodCounts(o.data, count, L, this.params.parity);
    const estimator = this.params.estimator;
    let statistic: (selection?: Uint32Array) => number;
    const meta: Record<string, unknown> = {
      parity: this.params.parity,
      latticeSide: L,
      normalisation: 'per decimated spin',
    };
    if (estimator.use === 'plug-in') {
      statistic = (selection) => conditionalEntropyPlugIn(pooled(perConfiguration, selection), estimator.correction);
      meta['correction'] = estimator.correction;
    } else {
      const K = this.samplingCoupling(o, where);
      statistic = (selection) => localFieldInformationLoss(pooled(perConfiguration, selection), K);
      meta['K'] = K;
    }
    const value = statistic();
    const random = this.context.random.split(`${o.site.axis}:${o.site.index}`);
    // Units are configurations (resampled whole, in moving blocks when the chain's configurations are correlated).
    const { standardError: uncertainty, meta: resampling } = unitStandardError(
      [sampleUnits(o, count)],
      estimator.bootstrap,
      random,
      ([selection]) => statistic(selection),
    );
    meta['uncertainty'] = resampling;
    return {
      probe: this.id,
      estimator: estimator.use,
      site: o.site,
      value,
      unit: 'nat/site',
      ...(uncertainty !== undefined && { uncertainty }),
      n: (count * (L * L)) / 2,
      meta,
    };
  }

  /**
   * The coupling the samples were drawn at: the site's exact nearest-neighbour description, accepted only when
   * the samples are known to come from it (exactMarginal at the reference, or meta.samples.sampledCoupling equal
   * to it, as the ising-2d system's 'flow' map states).
   */
  private samplingCoupling(o: Observation, where: string): number {
    if (o.exact?.type !== 'exponential-family' || o.exact.family !== 'ising-2d-nearest-neighbour') {
      throw new ProbeDataError(
        this.id,
        `${where}: 'local-field' needs the exact 'ising-2d-nearest-neighbour' description of the sampled model, got ${o.exact?.type === 'exponential-family' ? `family '${o.exact.family}'` : (o.exact?.type ?? 'none')}; use 'plug-in'`,
      );
    }
    const K = o.exact.natural[0]!;
    const sampled = (o.meta['samples'] as { sampledCoupling?: unknown } | undefined)?.sampledCoupling;
    if (typeof sampled === 'number' ? sampled !== K : !o.exact.exactMarginal) {
      throw new ProbeDataError(
        this.id,
        `${where}: the samples were not drawn from the nearest-neighbour model at K = ${K} (they are decimated or block-spun configurations); use 'plug-in', or the system's map 'flow'`,
      );
    }
    return K;
  }
}

export const informationLossDescriptor: ProbeDescriptor<InformationLossParams> = {
  id: 'information-loss',
  version: '1.0.0',
  summary:
    'Information lost per checkerboard decimation: conditional entropy of a decimated spin given its four neighbours (nats per decimated spin)',
  display: {
    name: 'Information lost per decimation',
    symbol: 'H(s_d | neighbours)',
    units: { 'nat/site': 'nats per decimated spin' },
    parameters: { 'estimator.use': { name: 'estimator' }, 'estimator.correction': { name: 'correction' } },
    values: { 'plug-in': 'plug-in', 'local-field': 'model-based local field' },
  },
  citation: 'docs/science/rg-ising.md §2.6; Heckman et al., arXiv:2108.02772',
  paramsSchema: informationLossParamsSchema,
  requires: () => ({ kinds: ['spins'] }),
  create: (params, context) => new InformationLossProbe(params, context),
};
