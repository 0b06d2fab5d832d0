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
import { symmetricEigenvalues } from '@entroscope/estimators';

export const gramEntropyParamsSchema = z
  .object({
    rows: z
      .number()
      .int()
      .min(2)
      .max(1024)
      .default(128)
      .describe('Batch rows (inputs) used, the first ones (the eigen-solver is O(rows³))'),
    centre: z
      .enum(['row', 'none'])
      .default('row')
      .describe(
        "'row': subtract each row's mean over neurons first (YanickT/Reconstructor); 'none': uncentred (the mean-field c-map's correlation)",
      ),
    normalise: z
      .enum(['log-n', 'none'])
      .default('log-n')
      .describe("'log-n': divide by ln n so that S ∈ [0, 1] (Reconstructor); 'none': nats"),
  })
  .strict();
export type GramEntropyParams = z.infer<typeof gramEntropyParamsSchema>;

/**
 * Von Neumann entropy of n inputs with uniform pairwise correlation c: the trace-normalised Gram matrix has
 * eigenvalues λ₁ = (1 + (n−1)c)/n and λ₂ = (1 − c)/n (n−1 times) (random-mlp-mean-field.md §4.2); in nats.
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
  readonly estimator = 'eigenvalues';
  constructor(private readonly params: GramEntropyParams) {}

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
    const x = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      let mean = 0;
      if (this.params.centre === 'row') {
        for (let j = 0; j < d; j++) mean += o.data[r * d + j]! / d;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const v = o.data[r * d + j]! - mean;
        x[r * d + j] = v;
        norm += v * v;
      }
      // A zero row (e.g. a constant row centred) contributes the direction 1/√d, as Reconstructor's nan-guard does.
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < d; j++) x[r * d + j] = norm > 0 ? x[r * d + j]! * inv : 1 / Math.sqrt(d);
    }
    const gram = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[a * d + j]! * x[b * d + j]!;
        gram[a * n + b] = s / n;
        gram[b * n + a] = s / n;
      }
    }
    const eigenvalues = symmetricEigenvalues(gram, n);
    let entropy = 0;
    for (const l of eigenvalues) if (l > 0) entropy -= l * Math.log(l);
    const divisor = this.params.normalise === 'log-n' ? Math.log(n) : 1;
    const mf = observedMeanField(o.meta);
    const overlays: Record<string, number> = { ...depthScaleOverlays(mf) };
    if (typeof mf?.pairCorrelation === 'number')
      overlays['meanField'] = uniformCorrelationGramEntropy(n, mf.pairCorrelation) / divisor;
    if (typeof mf?.cStar === 'number') overlays['fixedPoint'] = uniformCorrelationGramEntropy(n, mf.cStar) / divisor;
    return {
      probe: this.id,
      estimator: this.estimator,
      site: o.site,
      value: entropy / divisor,
      unit: this.params.normalise === 'log-n' ? 'dimensionless' : 'nat',
      n,
      meta: { rows: n, neurons: d, centre: this.params.centre, normalise: this.params.normalise, overlays },
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
    parameters: { rows: { symbol: 'n' }, centre: { name: 'centring' }, normalise: { name: 'normalisation' } },
  },
  citation:
    'Thurn, Jefferson, Erdmenger arXiv:2406.12916 (YanickT/Reconstructor src/entropies.py); random-mlp-mean-field.md §4.2',
  paramsSchema: gramEntropyParamsSchema,
  requires: () => ({ kinds: ['pre-activations', 'activations'] }),
  create: (params, _context: RunContext) => new GramEntropyProbe(params),
};
