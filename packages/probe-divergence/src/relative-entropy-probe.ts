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
  defaultEstimatorRegistry,
  estimateWithUncertainty,
  estimatorChoiceSchema,
  patternCounts,
  plugInBlocksSchema,
  type BlockPatterns,
  type LabelledEstimate,
  type SampleMatrix,
} from '@entroscope/estimators';
import { plugInDivergence } from './discrete-divergence';
import { rowsOfUnits, sampleUnits, unitStandardError } from './sample-units';
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

const registry = defaultEstimatorRegistry();

const exactSchema = z
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
  });

const plugInBlocksChoice = plugInBlocksSchema.extend({
  construction: z
    .enum(['A', 'C'])
    .default('A')
    .describe('A: D(p₀‖pₙ); C: D(pₙ‖p₀), both from samples on the same lattice'),
});

/** Fields every registered (sample-based) divergence estimator accepts in this probe besides its own. */
const sampleFields = {
  construction: z.enum(['A', 'C']).default('A').describe('A: D(p₀‖pₙ) (reference first); C: D(pₙ‖p₀)'),
  pairing: z
    .enum(['auto', 'independent', 'split'])
    .default('auto')
    .describe(
      "The estimators need two independent sample sets. 'split': P from the even units, Q from the odd ones (for sites that are maps of the same samples); 'independent': all rows of both; 'auto': 'independent' when both sites declare different meta.samples.unitSource, else 'split'",
    ),
};

export const relativeEntropyParamsSchema = z
  .object({
    estimator: estimatorChoiceSchema(registry, ['divergence'], [exactSchema, plugInBlocksChoice], sampleFields)
      .default({ use: 'exact', construction: 'A', limit: 'thermodynamic', normalise: 'perSite' })
      .describe(
        "'exact' (system's exact description), 'plug-in-blocks' (discrete samples), or a registered divergence estimator of continuous samples (knn-divergence, gaussian), e.g. { use: knn-divergence, k: 3 }",
      ),
  })
  .strict();
type SampleChoice = { use: string; construction: 'A' | 'C'; pairing: 'auto' | 'independent' | 'split' } & Record<
  string,
  unknown
>;
export type RelativeEntropyParams = {
  estimator: z.infer<typeof exactSchema> | z.infer<typeof plugInBlocksChoice> | SampleChoice;
};

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
          const use = this.params.estimator.use;
          return use === 'exact'
            ? this.exact(reference, observation)
            : use === 'plug-in-blocks'
              ? this.plugIn(reference, observation, referencePatterns)
              : this.sampled(reference, observation);
        }),
      );
    });
  }

  private where(o: Observation) {
    return `site ${o.site.axis}=${o.site.index}`;
  }

  private exact(reference: Observation, current: Observation): Measurement {
    const estimator = this.params.estimator as z.infer<typeof exactSchema>;
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

  /**
   * A registered divergence estimator on the rows of two sites' data (each row one sample of a d-dimensional
   * variable). The estimators assume independent sample sets: sites that may be maps of the same samples (same
   * unitSource, or none declared) are split into disjoint halves of their units unless `pairing` says otherwise.
   */
  private sampled(reference: Observation, current: Observation): Measurement {
    const estimator = this.params.estimator as unknown as SampleChoice;
    const matrix = (o: Observation) => {
      if (!o.data || o.shape.length < 1)
        throw new ProbeDataError(
          this.id,
          `${this.where(o)}: the '${estimator.use}' estimator needs sample data (rows = samples), got none`,
        );
      const rows = o.shape[0]!;
      const d = o.shape.slice(1).reduce((a, b) => a * b, 1);
      if (o.data.length !== rows * d)
        throw new ProbeDataError(
          this.id,
          `${this.where(o)}: data has ${o.data.length} values, shape [${o.shape.join(', ')}] needs ${rows * d}`,
        );
      return { values: o.data, n: rows, d } as SampleMatrix;
    };
    const ref = matrix(reference);
    const cur = matrix(current);
    if (ref.d !== cur.d)
      throw new ProbeDataError(
        this.id,
        `${this.where(current)}: a sample has ${cur.d} values, the reference's (${this.where(reference)}) ${ref.d}; a divergence needs the same variable at both sites`,
      );
    const refUnits = sampleUnits(reference, ref.n);
    const curUnits = sampleUnits(current, cur.n);
    const declaredIndependent =
      current !== reference &&
      refUnits.source !== undefined &&
      curUnits.source !== undefined &&
      refUnits.source !== curUnits.source;
    const split =
      estimator.pairing === 'split' ||
      (estimator.pairing === 'auto' && !declaredIndependent) ||
      (estimator.pairing === 'independent' && current === reference);
    const take = (m: SampleMatrix, units: ReturnType<typeof sampleUnits>, parity: 0 | 1): SampleMatrix => {
      if (!split) return m;
      if (units.units < 2)
        throw new ProbeDataError(this.id, `needs at least 2 sample units to split into independent halves`);
      const chosen = Uint32Array.from({ length: Math.floor((units.units - parity + 1) / 2) }, (_, i) => 2 * i + parity);
      const rows = rowsOfUnits(chosen, units.rowsPerUnit);
      const values = new Float64Array(rows.length * m.d);
      for (let r = 0; r < rows.length; r++)
        for (let j = 0; j < m.d; j++) values[r * m.d + j] = m.values[rows[r]! * m.d + j]!;
      return { values, n: rows.length, d: m.d };
    };
    const refPart = take(ref, refUnits, 0);
    const curPart = take(cur, curUnits, 1);
    const [p, q] = estimator.construction === 'A' ? [refPart, curPart] : [curPart, refPart];
    const descriptor = registry.get(estimator.use, 'divergence');
    const { construction: _c, pairing: _p, ...own } = estimator;
    const random = this.context.random.split(
      `relative-entropy:${current.site.axis}:${current.site.index}${current.site.time ? `:${current.site.time.axis}:${current.site.time.index}` : ''}`,
    );
    let e: LabelledEstimate;
    try {
      e = estimateWithUncertainty(descriptor, 'divergence', { x: p, y: q }, own as never, random);
    } catch (err) {
      throw new ProbeDataError(this.id, `${this.where(current)}: ${(err as Error).message}`);
    }
    return {
      probe: this.id,
      estimator: e.estimator,
      site: current.site,
      value: e.value,
      unit: 'nat',
      ...(e.uncertainty?.standardError !== undefined && { uncertainty: e.uncertainty.standardError }),
      n: p.n,
      meta: {
        kind: e.kind,
        construction: estimator.construction,
        pairing: split ? 'split' : 'independent',
        rows: [p.n, q.n],
        dimension: p.d,
        params: { ...e.params, construction: estimator.construction, pairing: estimator.pairing },
        ...(e.uncertainty && { resampling: e.uncertainty }),
        ...(e.warnings && e.warnings.length > 0 && { warnings: e.warnings }),
        ...(Number.isFinite(e.value) ? {} : { note: 'the estimate is not finite (a singular Q covariance?)' }),
      },
    };
  }

  private plugIn(reference: Observation, current: Observation, cache: Map<number, BlockPatterns>): Measurement {
    const estimator = this.params.estimator as z.infer<typeof plugInBlocksChoice>;
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
    'Relative entropy (KL, nats) between the first site and every site: exact (constructions A/B/C, Gaussian), plug-in over block patterns, or a registered divergence estimator of continuous samples (kNN, Gaussian) with resampling intervals',
  display: {
    name: 'Relative entropy',
    symbol: (p) => ((p.estimator as { construction?: string }).construction === 'C' ? 'D(p_n‖p₀)' : 'D(p₀‖p_n)'),
    units: { 'nat/site': 'nats per site', nat: 'nats' },
    parameters: {
      'estimator.construction': { name: 'construction' },
      'estimator.use': { name: 'estimator' },
      'estimator.blockLength': { name: 'block length' },
      'estimator.limit': { name: 'limit' },
      'estimator.k': { name: 'neighbours', symbol: 'k' },
      'estimator.pairing': { name: 'pairing' },
    },
    values: {
      'plug-in-blocks': 'plug-in (block patterns)',
      'knn-divergence': 'kNN (Wang–Kulkarni–Verdú)',
      gaussian: 'Gaussian fit',
      split: 'split halves',
      independent: 'independent sets',
    },
  },
  citation:
    'Erdmenger, Grosvenor, Jefferson, arXiv:2107.06898; docs/science/rg-ising.md §1.3, §2.4; docs/estimators.md',
  paramsSchema: relativeEntropyParamsSchema as unknown as z.ZodType<RelativeEntropyParams>,
  requires: (params) =>
    params.estimator.use === 'exact'
      ? { exact: ['exponential-family', 'gaussian'] }
      : params.estimator.use === 'plug-in-blocks'
        ? { kinds: DISCRETE_KINDS }
        : {},
  create: (params, context) => new RelativeEntropyProbe(params, context),
};
