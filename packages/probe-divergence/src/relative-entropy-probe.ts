import { defer, map, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
} from '@entroscope/core';
import {
  DISCRETE_KINDS,
  alphabetOf,
  blockPatterns,
  patternCounts,
  plugInBlocksSchema,
  type BlockPatterns,
} from '@entroscope/estimators';
import { plugInDivergence } from './discrete-divergence';
import { sampleUnits, unitStandardError } from './sample-units';
import {
  exponentialFamilyDivergenceFinite,
  exponentialFamilyDivergencePerSite,
  type Construction,
} from './exponential-family-divergence';
import { gaussianDivergence } from './gaussian-divergence';

const construction = z
  .enum(['A', 'B', 'C'])
  .default('A')
  .describe(
    'A: D(p₀‖pₙ) same lattice; B: D(p₀‖pₙ on kept sites × uniform on removed); C: D(pₙ‖p₀) (docs/science/rg-ising.md §1.3)',
  );

export const relativeEntropyParamsSchema = z
  .object({
    estimator: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('exact'),
            construction,
            limit: z
              .enum(['thermodynamic', 'ring'])
              .default('thermodynamic')
              .describe("'thermodynamic': N → ∞; 'ring': the system's finite lattice"),
            normalise: z
              .enum(['perSite', 'total'])
              .default('perSite')
              .describe("'perSite': divided by the original number of sites; 'total' needs limit 'ring'"),
          })
          .strict()
          .refine((e) => !(e.normalise === 'total' && e.limit === 'thermodynamic'), {
            message: "expected limit 'ring' with normalise 'total' (the total diverges in the thermodynamic limit)",
            path: ['normalise'],
          }),
        plugInBlocksSchema.extend({
          construction: z
            .enum(['A', 'C'])
            .default('A')
            .describe('A: D(p₀‖pₙ); C: D(pₙ‖p₀), both from samples on the same lattice'),
        }),
      ])
      .default({ use: 'exact', construction: 'A', limit: 'thermodynamic', normalise: 'perSite' })
      .describe("'exact' (system's exact description) or 'plug-in-blocks' (discrete samples)"),
  })
  .strict();
export type RelativeEntropyParams = z.infer<typeof relativeEntropyParamsSchema>;

/**
 * Relative entropy between the first site of the stream (the reference, e.g. the bare model at RG step 0
 * or the input layer) and every site, in nats (per original site unless `normalise: total`).
 * Exact: exponential families (constructions A/B/C, asymptote from the system's flow limit) and Gaussians
 * (A: KL(site₀‖siteₙ), C: reverse). Plug-in: per-site KL rate between block-pattern distributions of the
 * reference samples and each site's samples, Miller–Madow corrected, bootstrap standard error.
 */
export class RelativeEntropyProbe implements Probe {
  readonly id = 'relative-entropy';
  readonly estimator: string;

  constructor(
    private readonly params: RelativeEntropyParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    // The first observation of each subscription is the reference; reference block patterns are cut once.
    return defer(() => {
      let reference: Observation | undefined;
      const referencePatterns = new Map<number, BlockPatterns>();
      return observations.pipe(
        map((observation) => {
          reference ??= observation;
          return this.params.estimator.use === 'exact'
            ? this.exact(reference, observation)
            : this.plugIn(reference, observation, referencePatterns);
        }),
      );
    });
  }

  private where(o: Observation) {
    return `site ${o.site.axis}=${o.site.index}`;
  }

  private exact(reference: Observation, current: Observation): Measurement {
    const estimator = this.params.estimator;
    if (estimator.use !== 'exact') throw new Error('unreachable');
    const base = { probe: this.id, estimator: 'exact', site: current.site, n: null };
    const ref = reference.exact;
    const cur = current.exact;
    if (ref?.type === 'exponential-family' && cur?.type === 'exponential-family') {
      if (ref.family !== cur.family)
        throw new ProbeDataError(
          this.id,
          `${this.where(current)}: family '${cur.family}' differs from the reference's '${ref.family}'`,
        );
      if (estimator.construction === 'B' && !cur.exactMarginal) {
        throw new ProbeDataError(
          this.id,
          `${this.where(current)}: construction B needs the site's model to be the exact marginal of the reference (family '${cur.family}' is a truncated flow); use A or C`,
        );
      }
      const meta: Record<string, unknown> = {
        construction: estimator.construction,
        limit: estimator.limit,
        normalise: estimator.normalise,
        family: cur.family,
        natural: [...cur.natural],
      };
      if (estimator.limit === 'ring') {
        if (!ref.finite)
          throw new ProbeDataError(
            this.id,
            `${this.where(current)}: limit 'ring' needs a finite lattice (set the system's ringSize)`,
          );
        const total = exponentialFamilyDivergenceFinite(
          ref,
          cur.natural,
          cur.siteFraction,
          estimator.construction as Construction,
        );
        const perSite = estimator.normalise === 'perSite';
        return {
          ...base,
          value: perSite ? total / ref.finite.sites : total,
          unit: perSite ? 'nat/site' : 'nat',
          meta: { ...meta, sites: ref.finite.sites },
        };
      }
      const value = exponentialFamilyDivergencePerSite(
        ref,
        cur.natural,
        cur.siteFraction,
        estimator.construction as Construction,
      );
      if (ref.flowLimit)
        meta['asymptote'] = exponentialFamilyDivergencePerSite(
          ref,
          ref.flowLimit,
          0,
          estimator.construction as Construction,
        );
      return { ...base, value, unit: 'nat/site', meta };
    }
    if (ref?.type === 'gaussian' && cur?.type === 'gaussian') {
      if (estimator.construction === 'B')
        throw new ProbeDataError(
          this.id,
          `${this.where(current)}: construction B is defined for lattice decimation, not for Gaussians; use A or C`,
        );
      if (ref.dimension !== cur.dimension)
        throw new ProbeDataError(
          this.id,
          `${this.where(current)}: Gaussian dimension ${cur.dimension} differs from the reference's ${ref.dimension}`,
        );
      const [p, q] = estimator.construction === 'A' ? [ref, cur] : [cur, ref];
      const value = gaussianDivergence(p.mean, p.covariance, q.mean, q.covariance, ref.dimension);
      return { ...base, value, unit: 'nat', meta: { construction: estimator.construction, dimension: ref.dimension } };
    }
    throw new ProbeDataError(
      this.id,
      `${this.where(current)}: the exact estimator needs exponential-family or Gaussian exact descriptions at the reference and at this site, got ${ref?.type ?? 'none'} and ${cur?.type ?? 'none'}`,
    );
  }

  private plugIn(reference: Observation, current: Observation, cache: Map<number, BlockPatterns>): Measurement {
    const estimator = this.params.estimator;
    if (estimator.use !== 'plug-in-blocks') throw new Error('unreachable');
    for (const o of [reference, current]) {
      if (!o.data || o.shape.length !== 2)
        throw new ProbeDataError(
          this.id,
          `${this.where(o)}: expected discrete samples of shape [rows, length], got ${o.data ? `shape [${o.shape.join(', ')}]` : 'no samples'}`,
        );
    }
    const [refRows, refLength] = reference.shape as [number, number];
    const [rows, length] = current.shape as [number, number];
    if (refLength !== length)
      throw new ProbeDataError(
        this.id,
        `${this.where(current)}: sample length ${length} differs from the reference's ${refLength}`,
      );
    const alphabet = alphabetOf(reference.data!, current.data!);
    const lengths =
      estimator.rate === 'conditional' && estimator.blockLength > 1
        ? [estimator.blockLength, estimator.blockLength - 1]
        : [estimator.blockLength];
    // Reference patterns are cut once per block length (the alphabet of spins is fixed across sites).
    const refPatterns = lengths.map((l) => {
      const cached = cache.get(l);
      if (cached && cached.patternCount === alphabet.length ** l) return cached;
      const fresh = blockPatterns(reference.data!, refRows, refLength, l, alphabet);
      cache.set(l, fresh);
      return fresh;
    });
    const curPatterns = lengths.map((l) => blockPatterns(current.data!, rows, length, l, alphabet));
    const [pObs, qObs] = estimator.construction === 'A' ? [reference, current] : [current, reference];
    const [pPatterns, qPatterns, pRows, qRows] =
      estimator.construction === 'A'
        ? [refPatterns, curPatterns, refRows, rows]
        : [curPatterns, refPatterns, rows, refRows];
    const statistic = (pSelection?: Uint32Array, qSelection?: Uint32Array) => {
      const d = lengths.map((_, i) => {
        const p = patternCounts(pPatterns[i]!, pSelection);
        const q = patternCounts(qPatterns[i]!, qSelection);
        return plugInDivergence(p.counts, p.total, q.counts, q.total, estimator.correction);
      });
      return estimator.rate === 'block' ? d[0]! / estimator.blockLength : d.length === 2 ? d[0]! - d[1]! : d[0]!;
    };
    // The reference compared with itself is 0 by definition (the bias corrections would make it slightly negative).
    const value = current === reference ? 0 : statistic();
    const random = this.context.random.split(`${current.site.axis}:${current.site.index}`);
    // Error bars resample independent units (configurations), not rows (patches of one configuration); the two sample
    // sets are resampled together (one selection) when they are maps of the same units (same meta.samples.unitSource),
    // otherwise independently; correlated chains in moving blocks.
    const pUnits = sampleUnits(pObs, pRows);
    const qUnits = sampleUnits(qObs, qRows);
    const paired =
      pUnits.source !== undefined &&
      pUnits.source === qUnits.source &&
      pUnits.units === qUnits.units &&
      pUnits.rowsPerUnit === qUnits.rowsPerUnit;
    let uncertainty: number | undefined;
    let resampling: Record<string, unknown> | undefined;
    if (current !== reference) {
      const result = paired
        ? unitStandardError([pUnits], estimator.bootstrap, random, ([rows]) => statistic(rows, rows))
        : unitStandardError([pUnits, qUnits], estimator.bootstrap, random, ([rowsP, rowsQ]) => statistic(rowsP, rowsQ));
      uncertainty = result.standardError;
      resampling = { ...result.meta, paired };
    }
    const { use: _use, ...settings } = estimator;
    return {
      probe: this.id,
      estimator: 'plug-in-blocks',
      site: current.site,
      value,
      unit: 'nat/site',
      ...(uncertainty !== undefined && { uncertainty }),
      n: Math.min(pRows, qRows) * pPatterns[0]!.blocksPerRow,
      meta: {
        ...settings,
        measures:
          estimator.rate === 'block'
            ? `D(p_block ‖ q_block)/${estimator.blockLength}: the divergence between the distributions of one block of ${estimator.blockLength} consecutive sites, per site (a block-marginal divergence; correlations between blocks are not seen)`
            : 'per-site KL rate D(ℓ) − D(ℓ−1) between block distributions',
        ...(resampling && { uncertainty: resampling }),
        ...(Number.isFinite(value)
          ? {}
          : { note: 'a block pattern seen in p never occurs in q: increase samples or reduce blockLength' }),
      },
    };
  }
}

export const relativeEntropyDescriptor: ProbeDescriptor<RelativeEntropyParams> = {
  id: 'relative-entropy',
  version: '1.0.0',
  summary:
    'Relative entropy (KL, nats) between the first site and every site: exact (constructions A/B/C, Gaussian) or plug-in over block patterns',
  display: {
    name: 'Relative entropy',
    symbol: (p) => ((p.estimator as { construction?: string }).construction === 'C' ? 'D(p_n‖p₀)' : 'D(p₀‖p_n)'),
    units: { 'nat/site': 'nats per site', nat: 'nats' },
    parameters: {
      'estimator.construction': { name: 'construction' },
      'estimator.use': { name: 'estimator' },
      'estimator.blockLength': { name: 'block length' },
      'estimator.limit': { name: 'limit' },
    },
    values: { 'plug-in-blocks': 'plug-in (block patterns)' },
  },
  citation:
    'Erdmenger, Grosvenor, Jefferson, arXiv:2107.06898; docs/science/rg-ising.md §1.3, §2.4; estimators.md §1–2',
  paramsSchema: relativeEntropyParamsSchema,
  requires: (params) =>
    params.estimator.use === 'exact' ? { exact: ['exponential-family', 'gaussian'] } : { kinds: DISCRETE_KINDS },
  create: (params, context) => new RelativeEntropyProbe(params, context),
};
