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
import { defaultEstimatorRegistry, estimatorChoiceSchema, type EstimatePoint } from '@entroscope/estimators';
import { depthScaleOverlays, observedMeanField } from './mean-field-overlays';

const registry = defaultEstimatorRegistry();

/** The estimator the probe had before the registry ('sampled'): uncentred Gaussian MI, −½ ln(1 − c²) per pair. */
const SAMPLED = { use: 'gaussian', biasCorrected: false, centre: false } as const;

export const twoInputMutualInformationParamsSchema = z
  .object({
    estimator: z
      .preprocess(
        // The names of the probe's former switch, kept so that existing study files keep working.
        (v) => (v === 'sampled' ? SAMPLED : v === 'mean-field' ? { use: 'mean-field' } : v),
        estimatorChoiceSchema(
          registry,
          ['mutual-information'],
          [
            z
              .object({ use: z.literal('mean-field') })
              .strict()
              .describe('The c-map value c^ℓ the system attached (meta.meanField.pairCorrelation)'),
          ],
          {},
          { uncertainty: false },
        ),
      )
      .default(SAMPLED)
      .describe(
        "A registered MI estimator applied to each input pair, the layer's neurons being the samples of (z_a, z_b) — default { use: gaussian, centre: false, biasCorrected: false }: −½ ln(1 − c²) with the uncentred correlation (the c-map's); { use: ksg } drops the Gaussian assumption — or { use: mean-field } (the system's c-map value)",
      ),
    pairs: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('Adjacent row pairs (2k, 2k+1) to use (default: all)'),
    normalise: z
      .enum(['perNeuron', 'total'])
      .default('perNeuron')
      .describe("'perNeuron': −½ ln(1 − c²) (nat/neuron); 'total': × N_ℓ (nat)"),
  })
  .strict();
export type TwoInputMutualInformationParams = {
  estimator: { use: string } & Record<string, unknown>;
  pairs?: number;
  normalise: 'perNeuron' | 'total';
};

/** Per-neuron Gaussian MI of two unit-variance variables with correlation c: −½ ln(1 − c²) (Infinity at |c| = 1). */
export function gaussianPairInformation(c: number): number {
  return -0.5 * Math.log1p(-c * c);
}

/**
 * Uncentred correlation c = a·b/(‖a‖‖b‖) of two rows, with 1 − c² computed as (1 − c)(1 + c) from ‖â ∓ b̂‖²/2
 * in float64, so that it keeps its relative precision as c → 1 (ordered phase, deep layers).
 */
export function pairCorrelation(
  data: ArrayLike<number>,
  a: number,
  b: number,
  n: number,
): { c: number; oneMinusC2: number } {
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    na += data[a * n + i]! * data[a * n + i]!;
    nb += data[b * n + i]! * data[b * n + i]!;
  }
  const ia = 1 / Math.sqrt(na);
  const ib = 1 / Math.sqrt(nb);
  let minus = 0;
  let plus = 0;
  for (let i = 0; i < n; i++) {
    const x = data[a * n + i]! * ia;
    const y = data[b * n + i]! * ib;
    minus += (x - y) * (x - y);
    plus += (x + y) * (x + y);
  }
  return { c: (plus - minus) / 4, oneMinusC2: (minus / 2) * (plus / 2) };
}

/**
 * Two-input ("replica") mutual information across depth (docs/science/random-mlp-mean-field.md §4). In mean field the
 * pre-activations (z_a, z_b) of one neuron for inputs a and b are bivariate Gaussian with correlation c^ℓ (the
 * c-map), so I_ℓ = −(N_ℓ/2) ln(1 − (c^ℓ)²): it grows without bound in the ordered phase (c → 1, inputs collapse,
 * at a rate set by ξ_c) and converges to −½ ln(1 − c*²) per neuron in the chaotic phase — it sees the
 * order-to-chaos transition that single-input marginals miss. 'sampled' measures c per pair over the layer's
 * neurons (uncentred, as the c-map is: biases are shared), averages the per-pair MI, and gives the standard error
 * over pairs; 'mean-field' uses the system's c-map value. Overlays: mean-field value, fixed-point value, ξ_c, 6ξ_c.
 */
export class TwoInputMutualInformationProbe implements Probe {
  readonly id = 'two-input-mutual-information';
  readonly estimator: string;
  constructor(
    private readonly params: TwoInputMutualInformationParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(map((o) => this.measure(o)));
  }

  private measure(o: Observation): Measurement {
    const where = `site ${o.site.axis}=${o.site.index}`;
    if (o.shape.length !== 2)
      throw new ProbeDataError(
        this.id,
        `${where}: expected data of shape [rows, neurons], got [${o.shape.join(', ')}]`,
      );
    const [rows, neurons] = o.shape as [number, number];
    const scale = this.params.normalise === 'total' ? neurons : 1;
    const unit = this.params.normalise === 'total' ? 'nat' : 'nat/neuron';
    const mf = observedMeanField(o.meta);
    const overlays: Record<string, number> = { ...depthScaleOverlays(mf) };
    if (typeof mf?.pairCorrelation === 'number')
      overlays['meanField'] = scale * gaussianPairInformation(mf.pairCorrelation);
    if (typeof mf?.cStar === 'number' && mf.cStar < 1)
      overlays['fixedPoint'] = scale * gaussianPairInformation(mf.cStar);
    if (this.params.estimator.use === 'mean-field') {
      if (typeof mf?.pairCorrelation !== 'number')
        throw new ProbeDataError(
          this.id,
          `${where}: the 'mean-field' estimator needs meta.meanField.pairCorrelation (a random-mlp system with at least 2 input rows)`,
        );
      const value = scale * gaussianPairInformation(mf.pairCorrelation);
      return {
        probe: this.id,
        estimator: 'mean-field',
        site: o.site,
        value,
        unit,
        n: null,
        meta: { correlation: mf.pairCorrelation, neurons, overlays },
      };
    }
    if (!o.data)
      throw new ProbeDataError(
        this.id,
        `${where}: the '${this.estimator}' estimator needs data (rows = inputs, columns = neurons)`,
      );
    const available = Math.floor(rows / 2);
    const pairs = Math.min(this.params.pairs ?? available, available);
    if (pairs < 1) throw new ProbeDataError(this.id, `${where}: needs at least 2 input rows (one pair), got ${rows}`);
    const descriptor = registry.get(this.estimator, 'mutual-information');
    const random = this.context.random.split(`two-input-mutual-information:${o.site.axis}:${o.site.index}`);
    const row = (r: number) => ({
      values: Float64Array.from(o.data!.subarray(r * neurons, (r + 1) * neurons)),
      n: neurons,
      d: 1,
    });
    const values: number[] = [];
    const correlations: number[] = [];
    let kind: EstimatePoint['kind'] = 'estimate';
    for (let k = 0; k < pairs; k++) {
      correlations.push(pairCorrelation(o.data, 2 * k, 2 * k + 1, neurons).c);
      let e: EstimatePoint;
      try {
        e = descriptor.estimate(
          'mutual-information',
          { x: row(2 * k), y: row(2 * k + 1) },
          this.params.estimator as never,
          random.split(`pair:${k}`),
        );
      } catch (err) {
        throw new ProbeDataError(this.id, `${where}, pair ${k}: ${(err as Error).message}`);
      }
      kind = e.kind;
      values.push(e.value);
    }
    const mean = values.reduce((a, b) => a + b, 0) / pairs;
    const sd = pairs > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (pairs - 1)) : undefined;
    const meanCorrelation = correlations.reduce((a, b) => a + b, 0) / pairs;
    const { use: _use, ...settings } = this.params.estimator;
    return {
      probe: this.id,
      estimator: this.estimator,
      site: o.site,
      value: scale * mean,
      unit,
      ...(sd !== undefined && Number.isFinite(sd) && { uncertainty: (scale * sd) / Math.sqrt(pairs) }),
      n: pairs,
      meta: {
        kind,
        params: settings,
        pairs,
        neurons,
        meanCorrelation,
        overlays,
        ...(Number.isFinite(mean)
          ? {}
          : {
              note: 'a pair is identical at float32 resolution (1 − c² = 0): the information is unbounded (ordered phase)',
            }),
      },
    };
  }
}

export const twoInputMutualInformationDescriptor: ProbeDescriptor<TwoInputMutualInformationParams> = {
  id: 'two-input-mutual-information',
  version: '1.0.0',
  summary:
    "Two-input (replica) mutual information per neuron across layers: any registered MI estimator on each input pair over the layer's neurons (Gaussian −½ ln(1 − c²) by default), or the mean-field c-map",
  display: {
    name: 'Two-input mutual information',
    symbol: 'I(x_a; x_b) = −½ ln(1 − c²)',
    units: { 'nat/neuron': 'nats per neuron', nat: 'nats' },
    parameters: {
      'estimator.use': { name: 'estimator' },
      'estimator.k': { name: 'neighbours', symbol: 'k' },
      normalise: { name: 'normalisation' },
      pairs: { name: 'pairs' },
    },
    values: { gaussian: 'Gaussian (sampled)', ksg: 'KSG', 'mean-field': 'mean field' },
  },
  citation:
    'Poole et al. arXiv:1606.05340; Schoenholz et al. arXiv:1611.01232; docs/science/random-mlp-mean-field.md §4; docs/estimators.md (gaussian)',
  paramsSchema: twoInputMutualInformationParamsSchema as unknown as z.ZodType<TwoInputMutualInformationParams>,
  requires: () => ({ kinds: ['pre-activations', 'activations'] }),
  create: (params, context: RunContext) => new TwoInputMutualInformationProbe(params, context),
};
