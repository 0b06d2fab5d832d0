import { map, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type ExponentialFamilyExact,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RandomStream,
  type RunContext,
} from '@entroscope/core';
import {
  DISCRETE_KINDS,
  alphabetOf,
  blockPatterns,
  bootstrapStandardError,
  defaultEstimatorRegistry,
  estimateWithUncertainty,
  estimatorChoiceSchema,
  millerMadowEntropy,
  patternCounts,
  plugInBlocksSchema,
  plugInEntropy,
  type PlugInBlocksParams,
} from '@entroscope/estimators';

const registry = defaultEstimatorRegistry();

export const entropyParamsSchema = z
  .object({
    estimator: z
      .union([
        estimatorChoiceSchema(
          registry,
          ['entropy'],
          [z.object({ use: z.literal('exact') }).strict(), plugInBlocksSchema],
        ),
      ])
      .default({ use: 'exact' })
      .describe(
        "'exact' (from the system's exact description), 'plug-in-blocks' (entropy rate per site from discrete sequences), or any registered entropy estimator of the rows of the data (plug-in, binning, gaussian, kozachenko-leonenko, kde-bounds) in nats",
      ),
  })
  .strict();
export type EntropyParams = {
  estimator: { use: 'exact' } | PlugInBlocksParams | ({ use: string } & Record<string, unknown>);
};

/** Entropy per site s(θ) = A(θ) − θ·∇A(θ) of an exponential family (nats per site). */
export function exponentialFamilyEntropy(
  exact: ExponentialFamilyExact,
  theta: readonly number[] = exact.natural,
): number {
  const grad = exact.meanStatistics(theta);
  return exact.logPartition(theta) - theta.reduce((acc, t, i) => acc + t * grad[i]!, 0);
}

/**
 * Per-site Shannon entropy rate of discrete samples from block patterns: with H(ℓ) the entropy of ℓ-blocks,
 * 'conditional' returns H(ℓ) − H(ℓ−1) (the conditional entropy of a symbol given the ℓ−1 before it: exact
 * for Markov chains of order < ℓ), 'block' returns H(ℓ)/ℓ. Plug-in with optional Miller–Madow correction;
 * standard error by bootstrap over rows.
 */
export function blockEntropyRate(
  data: NonNullable<Observation['data']>,
  rows: number,
  length: number,
  params: PlugInBlocksParams,
  random: RandomStream,
): { value: number; uncertainty?: number; n: number } {
  const alphabet = alphabetOf(data);
  const estimate = params.correction === 'miller-madow' ? millerMadowEntropy : plugInEntropy;
  const full = blockPatterns(data, rows, length, params.blockLength, alphabet);
  const shorter =
    params.rate === 'conditional' && params.blockLength > 1
      ? blockPatterns(data, rows, length, params.blockLength - 1, alphabet)
      : undefined;
  const statistic = (selection?: Uint32Array) => {
    const a = patternCounts(full, selection);
    const hFull = estimate(a.counts, a.total);
    if (params.rate === 'block') return hFull / params.blockLength;
    if (!shorter) return hFull;
    const b = patternCounts(shorter, selection);
    return hFull - estimate(b.counts, b.total);
  };
  const uncertainty = bootstrapStandardError([rows], params.bootstrap, random, ([selection]) => statistic(selection));
  return { value: statistic(), ...(uncertainty !== undefined && { uncertainty }), n: rows * full.blocksPerRow };
}

export class EntropyProbe implements Probe {
  readonly id = 'entropy';
  readonly estimator: string;
  constructor(
    private readonly params: EntropyParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  /** Entropy of the rows of the data (each row one sample of a d-dimensional variable) by a registered estimator. */
  private registered(observation: Observation): Measurement {
    const { data, shape } = observation;
    const where = `site ${observation.site.axis}=${observation.site.index}`;
    if (!data || shape.length < 1)
      throw new ProbeDataError(
        this.id,
        `${where}: the '${this.estimator}' estimator needs sample data (rows = samples), got none`,
      );
    const rows = shape[0]!;
    const d = shape.slice(1).reduce((a, b) => a * b, 1);
    const descriptor = registry.get(this.estimator, 'entropy');
    const random = this.context.random.split(`entropy:${observation.site.axis}:${observation.site.index}`);
    let e;
    try {
      e = estimateWithUncertainty(
        descriptor,
        'entropy',
        { x: { values: data, n: rows, d } },
        this.params.estimator as never,
        random,
      );
    } catch (err) {
      throw new ProbeDataError(this.id, `${where}: ${(err as Error).message}`);
    }
    return {
      probe: this.id,
      estimator: e.estimator,
      site: observation.site,
      value: e.value,
      unit: 'nat',
      ...(e.uncertainty?.standardError !== undefined && { uncertainty: e.uncertainty.standardError }),
      n: e.n,
      meta: {
        kind: e.kind,
        dimension: d,
        params: e.params,
        ...(e.uncertainty && { resampling: e.uncertainty }),
        ...(e.warnings?.length && { warnings: e.warnings }),
        ...(e.details && { details: e.details }),
      },
    };
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(map((o) => this.measure(o)));
  }

  private measure(observation: Observation): Measurement {
    const { estimator } = this.params;
    const base = { probe: this.id, estimator: estimator.use, site: observation.site };
    if (estimator.use === 'exact') {
      const exact = observation.exact;
      if (exact?.type === 'exponential-family') {
        return {
          ...base,
          value: exponentialFamilyEntropy(exact),
          unit: 'nat/site',
          n: null,
          meta: { family: exact.family, natural: [...exact.natural] },
        };
      }
      if (exact?.type === 'discrete') {
        return { ...base, value: plugInEntropy(exact.probabilities, 1), unit: 'nat', n: null, meta: {} };
      }
      throw new ProbeDataError(
        this.id,
        `site ${observation.site.axis}=${observation.site.index} has no exponential-family or discrete exact description`,
      );
    }
    if (estimator.use !== 'plug-in-blocks') return this.registered(observation);
    const { data, shape } = observation;
    if (!data || shape.length !== 2) {
      throw new ProbeDataError(
        this.id,
        `site ${observation.site.axis}=${observation.site.index}: expected discrete samples of shape [rows, length], got ${data ? `shape [${shape.join(', ')}]` : 'no samples'}`,
      );
    }
    const random = this.context.random.split(`${observation.site.axis}:${observation.site.index}`);
    const result = blockEntropyRate(data, shape[0]!, shape[1]!, estimator as PlugInBlocksParams, random);
    return { ...base, ...result, unit: 'nat/site', meta: { ...estimator } };
  }
}

export const entropyDescriptor: ProbeDescriptor<EntropyParams> = {
  id: 'entropy',
  version: '1.0.0',
  summary:
    'Shannon entropy per site: exact (exponential family, discrete) or plug-in over block patterns with Miller–Madow',
  display: {
    name: 'Shannon entropy',
    symbol: 'H',
    units: { 'nat/site': 'nats per site', nat: 'nats' },
    parameters: { 'estimator.use': { name: 'estimator' }, 'estimator.blockLength': { name: 'block length' } },
  },
  citation: 'Miller 1955 (Miller–Madow); Kozachenko & Leonenko 1987; Kolchinsky & Tracey 2017; docs/estimators.md',
  paramsSchema: entropyParamsSchema as unknown as z.ZodType<EntropyParams>,
  requires: (params) =>
    params.estimator.use === 'exact'
      ? { exact: ['exponential-family', 'discrete'] }
      : params.estimator.use === 'plug-in-blocks'
        ? { kinds: DISCRETE_KINDS }
        : {},
  create: (params, context) => new EntropyProbe(params, context),
};
