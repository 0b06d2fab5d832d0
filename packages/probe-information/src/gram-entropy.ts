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
import { depthScaleOverlays, observedMeanField } from './mean-field-overlays';
import { defaultEstimatorRegistry, estimatorChoiceSchema, type EstimatePoint } from '@entroscope/estimators';

const registry = defaultEstimatorRegistry();

export const gramEntropyParamsSchema = z
  .object({
    rows: z
      .number()
      .int()
      .min(2)
      .max(1024)
      .default(128)
      .describe('Batch rows (inputs) used, the first ones (the eigen-solver is O(rows³))'),
    estimator: estimatorChoiceSchema(registry, ['entropy'], [], {}, { uncertainty: false })
      .default({ use: 'matrix-entropy', kernel: 'cosine', bandwidth: 1, centre: 'row', alpha: 1 })
      .describe(
        "A registered entropy estimator of the batch's rows; default the von Neumann entropy of the trace-normalised Gram matrix { use: matrix-entropy, centre: row } (Reconstructor; centre: none is the uncentred c-map's)",
      ),
    normalise: z
      .enum(['log-n', 'none'])
      .default('log-n')
      .describe("'log-n': divide by ln n so that S ∈ [0, 1] (Reconstructor); 'none': nats"),
  })
  .strict();
export type GramEntropyParams = {
  rows: number;
  estimator: { use: string } & Record<string, unknown>;
  normalise: 'log-n' | 'none';
};

/**
 * Von Neumann entropy of n inputs with uniform pairwise correlation c: the trace-normalised Gram matrix has
 * eigenvalues λ₁ = (1 + (n−1)c)/n and λ₂ = (1 − c)/n (n−1 times) (docs/science/random-mlp-mean-field.md §4); in nats.
 */
export function uniformCorrelationGramEntropy(n: number, c: number): number {
  const l1 = (1 + (n - 1) * c) / n;
  const l2 = (1 - c) / n;
  const term = (l: number) => (l > 0 ? l * Math.log(l) : 0);
  return 0 - (term(l1) + (n - 1) * term(l2)) || 0;
}

/**
 * Gram-matrix (batch) von Neumann entropy of a layer: rows x_1…x_n (optionally centred over neurons) scaled to
 * unit norm, ρ = XXᵀ/n (trace 1), S = −Σ λ ln λ over its eigenvalues, divided by ln n by default (the
 * normalisation of YanickT/Reconstructor's `gram_neumann_entropy`, src/entropies.py). S = 1 for orthogonal
 * inputs and 0 when the layer maps every input to the same direction, so it follows the correlation map: it
 * collapses with depth in the ordered phase and settles at S(c*) in the chaotic phase. Overlay `meanField` is
 * S for uniform correlation c^ℓ (exact for equicorrelated inputs with centre 'none' at infinite width).
 */
export class GramEntropyProbe implements Probe {
  readonly id = 'gram-entropy';
  readonly estimator: string;
  constructor(
    private readonly params: GramEntropyParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(map((o) => this.measure(o)));
  }

  private measure(o: Observation): Measurement {
    const where = `site ${o.site.axis}=${o.site.index}`;
    if (!o.data || o.shape.length !== 2)
      throw new ProbeDataError(
        this.id,
        `${where}: expected data of shape [rows, neurons], got ${o.data ? `[${o.shape.join(', ')}]` : 'no data'}`,
      );
    const [rows, d] = o.shape as [number, number];
    const n = Math.min(rows, this.params.rows);
    if (n < 2) throw new ProbeDataError(this.id, `${where}: needs at least 2 rows (inputs), got ${rows}`);
    const descriptor = registry.get(this.estimator, 'entropy');
    let e: EstimatePoint;
    try {
      e = descriptor.estimate(
        'entropy',
        { x: { values: Float64Array.from(o.data.subarray(0, n * d)), n, d } },
        this.params.estimator as never,
        this.context.random.split(`gram-entropy:${o.site.axis}:${o.site.index}`),
      );
    } catch (err) {
      throw new ProbeDataError(this.id, `${where}: ${(err as Error).message}`);
    }
    const divisor = this.params.normalise === 'log-n' ? Math.log(n) : 1;
    const mf = observedMeanField(o.meta);
    const overlays: Record<string, number> = { ...depthScaleOverlays(mf) };
    if (typeof mf?.pairCorrelation === 'number')
      overlays['meanField'] = uniformCorrelationGramEntropy(n, mf.pairCorrelation) / divisor;
    if (typeof mf?.cStar === 'number') overlays['fixedPoint'] = uniformCorrelationGramEntropy(n, mf.cStar) / divisor;
    const { use: _use, ...settings } = this.params.estimator;
    return {
      probe: this.id,
      estimator: this.estimator,
      site: o.site,
      value: e.value / divisor,
      unit: this.params.normalise === 'log-n' ? 'dimensionless' : 'nat',
      n,
      meta: {
        kind: e.kind,
        rows: n,
        neurons: d,
        params: settings,
        normalise: this.params.normalise,
        overlays,
        ...(e.warnings?.length && { warnings: e.warnings }),
      },
    };
  }
}

export const gramEntropyDescriptor: ProbeDescriptor<GramEntropyParams> = {
  id: 'gram-entropy',
  version: '1.0.0',
  summary:
    'Von Neumann entropy of the trace-normalised Gram matrix of a batch at each layer (Reconstructor normalisation, ÷ ln n)',
  display: {
    name: 'Gram-matrix entropy',
    symbol: (p) => (p.normalise === 'log-n' ? 'S(ρ) / ln n' : 'S(ρ)'),
    units: { dimensionless: 'fraction of ln n', nat: 'nats' },
    parameters: {
      rows: { symbol: 'n' },
      'estimator.use': { name: 'estimator' },
      'estimator.centre': { name: 'centring' },
      'estimator.alpha': { name: 'Rényi order', symbol: 'α' },
      normalise: { name: 'normalisation' },
    },
    values: { 'matrix-entropy': 'Gram-matrix (von Neumann)' },
  },
  citation:
    'Thurn, Jefferson, Erdmenger arXiv:2406.12916 (YanickT/Reconstructor src/entropies.py); docs/science/random-mlp-mean-field.md §4',
  paramsSchema: gramEntropyParamsSchema as unknown as z.ZodType<GramEntropyParams>,
  requires: () => ({ kinds: ['pre-activations', 'activations'] }),
  create: (params, context: RunContext) => new GramEntropyProbe(params, context),
};
