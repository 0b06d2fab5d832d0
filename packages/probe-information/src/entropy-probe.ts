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
import { DISCRETE_KINDS, alphabetOf, blockPatterns, bootstrapStandardError, millerMadowEntropy, patternCounts, plugInBlocksSchema, plugInEntropy, type PlugInBlocksParams } from '@entroscope/estimators';

export const entropyParamsSchema = z
  .object({
    estimator: z
      .discriminatedUnion('use', [z.object({ use: z.literal('exact') }).strict(), plugInBlocksSchema])
      .default({ use: 'exact' })
      .describe("'exact' (from the system's exact description) or 'plug-in-blocks' (from discrete samples)"),
  })
  .strict();
export type EntropyParams = z.infer<typeof entropyParamsSchema>;

/** Entropy per site s(θ) = A(θ) − θ·∇A(θ) of an exponential family (nats per site). */
export function exponentialFamilyEntropy(exact: ExponentialFamilyExact, theta: readonly number[] = exact.natural): number {
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
  const shorter = params.rate === 'conditional' && params.blockLength > 1 ? blockPatterns(data, rows, length, params.blockLength - 1, alphabet) : undefined;
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

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(map((o) => this.measure(o)));
  }

  private measure(observation: Observation): Measurement {
    const { estimator } = this.params;
    const base = { probe: this.id, estimator: estimator.use, site: observation.site };
    if (estimator.use === 'exact') {
      const exact = observation.exact;
      if (exact?.type === 'exponential-family') {
        return { ...base, value: exponentialFamilyEntropy(exact), unit: 'nat/site', n: null, meta: { family: exact.family, natural: [...exact.natural] } };
      }
      if (exact?.type === 'discrete') {
        return { ...base, value: plugInEntropy(exact.probabilities, 1), unit: 'nat', n: null, meta: {} };
      }
      throw new ProbeDataError(this.id, `site ${observation.site.axis}=${observation.site.index} has no exponential-family or discrete exact description`);
    }
    const { data, shape } = observation;
    if (!data || shape.length !== 2) {
      throw new ProbeDataError(this.id, `site ${observation.site.axis}=${observation.site.index}: expected discrete samples of shape [rows, length], got ${data ? `shape [${shape.join(', ')}]` : 'no samples'}`);
    }
    const random = this.context.random.split(`${observation.site.axis}:${observation.site.index}`);
    const result = blockEntropyRate(data, shape[0]!, shape[1]!, estimator, random);
    return { ...base, ...result, unit: 'nat/site', meta: { ...estimator } };
  }
}

export const entropyDescriptor: ProbeDescriptor<EntropyParams> = {
  id: 'entropy',
  version: '1.0.0',
  summary: 'Shannon entropy per site: exact (exponential family, discrete) or plug-in over block patterns with Miller–Madow',
  display: {
    name: 'Shannon entropy',
    symbol: 'H',
    units: { 'nat/site': 'nats per site', nat: 'nats' },
    parameters: { 'estimator.use': { name: 'estimator' }, 'estimator.blockLength': { name: 'block length' } },
  },
  citation: 'estimators.md §1 (plug-in, Miller–Madow)',
  paramsSchema: entropyParamsSchema,
  requires: (params) => (params.estimator.use === 'exact' ? { exact: ['exponential-family', 'discrete'] } : { kinds: DISCRETE_KINDS }),
  create: (params, context) => new EntropyProbe(params, context),
};
