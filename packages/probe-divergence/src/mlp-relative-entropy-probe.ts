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

export const mlpRelativeEntropyParamsSchema = z
  .object({
    estimator: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('authors-monte-carlo'),
            normalise: z
              .enum(['none', 'authors'])
              .default('none')
              .describe("'authors': divide by (N_0/2) ln(2πe σ_w²) as the published figures do (note: σ_w², not σ_0²)"),
          })
          .strict(),
        z
          .object({
            use: z.literal('gaussian-fit'),
            construction: z.enum(['A', 'C']).default('A').describe('A: KL(fit₀ ‖ fit_ℓ); C: KL(fit_ℓ ‖ fit₀)'),
            fit: z
              .enum(['image', 'pooled'])
              .default('image')
              .describe("'image': one row of the batch (the authors' fit); 'pooled': all rows' values together"),
            image: z
              .number()
              .int()
              .default(-1)
              .describe("Row fitted with fit 'image' (negative counts from the end; −1 = last)"),
            normalise: z
              .enum(['total', 'perNeuron'])
              .default('total')
              .describe("'total': N_ℓ × per-neuron KL (nat); 'perNeuron' (nat/neuron)"),
          })
          .strict(),
      ])
      .default({ use: 'authors-monte-carlo', normalise: 'none' })
      .describe(
        "'authors-monte-carlo': the RG/DNN paper's per-layer quantity exactly as their code computes it; 'gaussian-fit': a true KL between i.i.d. Gaussian fits of two layers",
      ),
  })
  .strict();
export type MlpRelativeEntropyParams = z.infer<typeof mlpRelativeEntropyParamsSchema>;

interface Pushforward {
  image: number;
  samples: number;
  referenceMean: number;
  referenceVariance: number;
  rowSums: number[];
  rowSquareSums: number[];
  meanFieldQ: number;
  meanFieldQ0: number;
}
interface LayerMeanField {
  q?: number;
  qStar?: number | null;
  xiC?: number | null;
  sixXiC?: number | null;
}

/** Mean and population variance (ddof = 0) over the given rows of a [rows, n] array. */
function fitRows(data: ArrayLike<number>, n: number, first: number, count: number): { mean: number; variance: number } {
  let mean = 0;
  const total = n * count;
  for (let i = first * n; i < (first + count) * n; i++) mean += data[i]!;
  mean /= total;
  let variance = 0;
  for (let i = first * n; i < (first + count) * n; i++) variance += (data[i]! - mean) ** 2;
  return { mean, variance: variance / total };
}

/** Per-neuron KL between N(μ₀, s₀) and N(μ₁, s₁) (variances s): ½[s₀/s₁ + (μ₁ − μ₀)²/s₁ − 1 − ln(s₀/s₁)]. */
export function gaussianKlPerNeuron(m0: number, s0: number, m1: number, s1: number): number {
  const r = s0 / s1;
  return 0.5 * (r + (m1 - m0) ** 2 / s1 - 1 - Math.log(r));
}

/**
 * Relative entropy across the depth of a random MLP (arXiv:2107.06898; docs/science/random-mlp-mean-field.md §2), reference
 * layer = the first site of the stream (ℓ = 0, the first pre-activations).
 *
 * 'authors-monte-carlo' reproduces the authors' Relative_Entropy.ipynb (v2, after the fix of commit 30a2768):
 * fit N(μ_ℓ 1, σ_ℓ² I) to the single chosen image's pre-activations at each layer (ddof 0), then
 *   D_m = −(N_0/2) ln(2πe σ_0²) + (N_m/2) ln(2π σ_m²) + E_{z⁰}‖F_m(z⁰) − μ_m 1‖² / (2σ_m²),   D_0 := 0,
 * with z⁰ ~ N(μ_0, σ_0²) i.i.d. per neuron pushed through the network's own layers (the system's
 * `pushforward` option supplies per-sample Σ_i F_i and Σ_i F_i²). It is NOT a KL divergence (the Jacobian of F_m
 * is missing): it can be negative, and is large and negative where the width changes. Standard error over the
 * nMC samples. Overlay `meanField` = (N_m/2) ln(2πe q^m) − (N_0/2) ln(2πe q^0) (§2.1; (N/2) ln(q^m/q^0) for equal
 * widths) and `asymptote` = (N_0/2) ln(q^* / q^0) for equal widths.
 *
 * 'gaussian-fit' is a true KL between the i.i.d. fits: N_ℓ · ½[σ_0²/σ_ℓ² + (μ_ℓ − μ_0)²/σ_ℓ² − 1 − ln(σ_0²/σ_ℓ²)]
 * (construction A; C swaps the arguments), with the mean-field prediction from q^0, q^ℓ, q* (means 0).
 */
export class MlpRelativeEntropyProbe implements Probe {
  readonly id = 'mlp-relative-entropy';
  readonly estimator: string;
  constructor(private readonly params: MlpRelativeEntropyParams) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    // The first observation of each subscription is the reference layer.
    return defer(() => {
      let reference: { observation: Observation; mean: number; variance: number; n: number } | undefined;
      return observations.pipe(
        map((o) => {
          const first = reference === undefined;
          const fit = this.fit(o);
          reference ??= { observation: o, ...fit };
          return this.params.estimator.use === 'authors-monte-carlo'
            ? this.authors(o, fit, reference, first)
            : this.gaussianFit(o, fit, reference);
        }),
      );
    });
  }

  private where(o: Observation) {
    return `site ${o.site.axis}=${o.site.index}`;
  }

  private fit(o: Observation): { mean: number; variance: number; n: number } {
    if (!o.data || o.shape.length !== 2)
      throw new ProbeDataError(
        this.id,
        `${this.where(o)}: expected data of shape [rows, neurons], got ${o.data ? `[${o.shape.join(', ')}]` : 'no data'}`,
      );
    const [rows, n] = o.shape as [number, number];
    const e = this.params.estimator;
    if (e.use === 'authors-monte-carlo') {
      if (o.kind !== 'pre-activations')
        throw new ProbeDataError(
          this.id,
          `${this.where(o)}: the authors' quantity is defined on pre-activations, got '${o.kind}' (set the system's record: pre-activations)`,
        );
      const pf = o.meta['pushforward'] as Pushforward | undefined;
      if (!pf)
        throw new ProbeDataError(
          this.id,
          `${this.where(o)}: needs meta.pushforward (set the random-mlp system's pushforward option)`,
        );
      return { ...fitRows(o.data, n, pf.image, 1), n };
    }
    if (e.fit === 'pooled') return { ...fitRows(o.data, n, 0, rows), n };
    const image = ((e.image % rows) + rows) % rows;
    return { ...fitRows(o.data, n, image, 1), n };
  }

  private authors(
    o: Observation,
    fit: { mean: number; variance: number; n: number },
    reference: { mean: number; variance: number; n: number },
    first: boolean,
  ): Measurement {
    const e = this.params.estimator;
    if (e.use !== 'authors-monte-carlo') throw new Error('unreachable');
    const pf = o.meta['pushforward'] as Pushforward;
    const mf = o.meta['meanField'] as LayerMeanField | undefined;
    const sigmaW2 = o.meta['sigmaW2'];
    const N0 = reference.n;
    const N = fit.n;
    let norm = 1;
    if (e.normalise === 'authors') {
      if (typeof sigmaW2 !== 'number')
        throw new ProbeDataError(this.id, `${this.where(o)}: normalise 'authors' needs meta.sigmaW2`);
      norm = (N0 / 2) * Math.log(2 * Math.PI * Math.E * sigmaW2);
    }
    const overlays: Record<string, number> = {};
    const meanField =
      (N / 2) * Math.log(2 * Math.PI * Math.E * pf.meanFieldQ) -
      (N0 / 2) * Math.log(2 * Math.PI * Math.E * pf.meanFieldQ0);
    overlays['meanField'] = first ? 0 : meanField / norm;
    if (typeof mf?.qStar === 'number' && N === N0)
      overlays['asymptote'] = ((N0 / 2) * Math.log(mf.qStar / pf.meanFieldQ0)) / norm;
    if (typeof mf?.xiC === 'number') overlays['xi_c'] = mf.xiC;
    if (typeof mf?.sixXiC === 'number') overlays['six_xi_c'] = mf.sixXiC;
    const meta = {
      image: pf.image,
      samples: pf.samples,
      width: N,
      referenceWidth: N0,
      mean: fit.mean,
      variance: fit.variance,
      normalise: e.normalise,
      overlays,
    };
    const unit = e.normalise === 'authors' ? 'dimensionless' : 'nat';
    if (first) return { probe: this.id, estimator: this.estimator, site: o.site, value: 0, unit, n: pf.samples, meta };
    const mu = fit.mean;
    const terms = pf.rowSquareSums.map((s2, i) => s2 - 2 * mu * pf.rowSums[i]! + N * mu * mu);
    const mean = terms.reduce((a, b) => a + b, 0) / terms.length;
    const sd = Math.sqrt(terms.reduce((a, b) => a + (b - mean) ** 2, 0) / (terms.length - 1));
    const value =
      -(N0 / 2) * Math.log(2 * Math.PI * Math.E * reference.variance) +
      (N / 2) * Math.log(2 * Math.PI * fit.variance) +
      mean / (2 * fit.variance);
    return {
      probe: this.id,
      estimator: this.estimator,
      site: o.site,
      value: value / norm,
      unit,
      uncertainty: sd / Math.sqrt(terms.length) / (2 * fit.variance) / norm,
      n: pf.samples,
      meta,
    };
  }

  private gaussianFit(
    o: Observation,
    fit: { mean: number; variance: number; n: number },
    reference: { mean: number; variance: number; n: number; observation: Observation },
  ): Measurement {
    const e = this.params.estimator;
    if (e.use !== 'gaussian-fit') throw new Error('unreachable');
    const [p, q] = e.construction === 'A' ? [reference, fit] : [fit, reference];
    const perNeuron = gaussianKlPerNeuron(p.mean, p.variance, q.mean, q.variance);
    const scale = e.normalise === 'total' ? fit.n : 1;
    const mf = o.meta['meanField'] as LayerMeanField | undefined;
    const mf0 = reference.observation.meta['meanField'] as LayerMeanField | undefined;
    const overlays: Record<string, number> = {};
    if (typeof mf?.q === 'number' && typeof mf0?.q === 'number') {
      const [a, b] = e.construction === 'A' ? [mf0.q, mf.q] : [mf.q, mf0.q];
      overlays['meanField'] = scale * gaussianKlPerNeuron(0, a, 0, b);
      if (typeof mf.qStar === 'number') {
        const [c, d] = e.construction === 'A' ? [mf0.q, mf.qStar] : [mf.qStar, mf0.q];
        overlays['asymptote'] = scale * gaussianKlPerNeuron(0, c, 0, d);
      }
    }
    if (typeof mf?.xiC === 'number') overlays['xi_c'] = mf.xiC;
    if (typeof mf?.sixXiC === 'number') overlays['six_xi_c'] = mf.sixXiC;
    const [rows] = o.shape as [number, number];
    return {
      probe: this.id,
      estimator: this.estimator,
      site: o.site,
      value: scale * perNeuron,
      unit: e.normalise === 'total' ? 'nat' : 'nat/neuron',
      n: fit.n * (e.fit === 'pooled' ? rows : 1),
      meta: {
        construction: e.construction,
        fit: e.fit,
        width: fit.n,
        mean: fit.mean,
        variance: fit.variance,
        referenceMean: reference.mean,
        referenceVariance: reference.variance,
        overlays,
      },
    };
  }
}

export const mlpRelativeEntropyDescriptor: ProbeDescriptor<MlpRelativeEntropyParams> = {
  id: 'mlp-relative-entropy',
  version: '1.0.0',
  summary:
    "Relative entropy across MLP layers: the RG/DNN authors' Monte Carlo quantity (as their code computes it) or a true KL between Gaussian fits, with mean-field overlays",
  display: {
    name: 'Relative entropy across layers',
    symbol: (p) =>
      p.estimator.use === 'authors-monte-carlo'
        ? p.estimator.normalise === 'authors'
          ? 'D̂(0‖ℓ) ÷ (N₀/2) ln(2πe σ_w²)'
          : 'D̂(0‖ℓ) (authors)'
        : p.estimator.construction === 'C'
          ? 'D(𝒩_ℓ‖𝒩₀)'
          : 'D(𝒩₀‖𝒩_ℓ)',
    units: { nat: 'nats', 'nat/neuron': 'nats per neuron', dimensionless: 'dimensionless ratio' },
    parameters: {
      'estimator.use': { name: 'estimator' },
      'estimator.construction': { name: 'construction' },
      'estimator.normalise': { name: 'normalisation' },
      'estimator.fit': { name: 'fit' },
    },
    values: { 'authors-monte-carlo': "authors' Monte Carlo", 'gaussian-fit': 'Gaussian fit', perNeuron: 'per neuron' },
  },
  citation:
    'Erdmenger, Grosvenor, Jefferson arXiv:2107.06898 (ro-jefferson/entropy_dnn Relative_Entropy.ipynb); docs/science/random-mlp-mean-field.md §2',
  paramsSchema: mlpRelativeEntropyParamsSchema,
  requires: (params) => ({
    kinds: params.estimator.use === 'authors-monte-carlo' ? ['pre-activations'] : ['pre-activations', 'activations'],
  }),
  create: (params, _context: RunContext) => new MlpRelativeEntropyProbe(params),
};
