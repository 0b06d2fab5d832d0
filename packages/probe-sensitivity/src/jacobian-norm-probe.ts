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

export const jacobianNormParamsSchema = z
  .object({
    output: z
      .enum(['log-norm', 'log-slope'])
      .default('log-norm')
      .describe(
        "'log-norm': ln(‖J_ℓ‖_F²/N_ℓ); 'log-slope': its growth from the previous layer, ln(‖J_ℓ‖²N_{ℓ−1}/(‖J_{ℓ−1}‖²N_ℓ)) → ln χ₁ at the fixed point",
      ),
  })
  .strict();
export type JacobianNormParams = z.infer<typeof jacobianNormParamsSchema>;

interface JacobianMeta {
  inputs: number;
  directions: number;
  logSquaredNorms: number[];
}

/** ln of the mean of exp(values), computed stably (log-sum-exp). */
function logMeanExp(values: readonly number[]): number {
  const m = Math.max(...values);
  return m + Math.log(values.reduce((a, v) => a + Math.exp(v - m), 0) / values.length);
}

/**
 * Input–output Jacobian growth across depth (docs/science/random-mlp-mean-field.md §4.3). J_ℓ = ∂z^ℓ/∂x; for u ~ N(0, I),
 * E‖J_ℓ u‖² = ‖J_ℓ‖_F², so ‖J_ℓ‖_F²/N_ℓ is estimated from the forward-mode products J_ℓ u the system computed
 * (random-mlp's `jacobian` option: ln‖J_ℓ u‖² per input row and direction, exact up to float32 rounding). In mean
 * field it grows like χ₁ per layer: it decays in the ordered phase (χ₁ < 1), stays flat at criticality and grows
 * in the chaotic phase — a probe that changes character at σ_w²_c. 'log-slope' gives the per-layer growth (→ ln χ₁).
 * Standard error by the delta method over the row × direction products. Overlays: the mean-field prediction
 * ln σ_w² + Σ_{k<ℓ} ln χ(q^k) (or its per-layer increment), ln χ₁, ξ_c, 6ξ_c.
 */
export class JacobianNormProbe implements Probe {
  readonly id = 'jacobian-norm';
  readonly estimator = 'forward-mode';
  constructor(private readonly params: JacobianNormParams) {}

  apply(observations: Observable<Observation>): Observable<Measurement> {
    let previous: { logNorm: number; meanField?: number; values: number[] } | undefined;
    return observations.pipe(
      map((o) => {
        const where = `site ${o.site.axis}=${o.site.index}`;
        const jacobian = o.meta['jacobian'] as JacobianMeta | undefined;
        if (!jacobian || !Array.isArray(jacobian.logSquaredNorms) || jacobian.logSquaredNorms.length === 0) {
          throw new ProbeDataError(
            this.id,
            `${where}: needs meta.jacobian.logSquaredNorms (set the random-mlp system's jacobian option)`,
          );
        }
        const width = Number(o.meta['width'] ?? o.shape[1]);
        if (!(width > 0))
          throw new ProbeDataError(this.id, `${where}: needs the layer width (meta.width or shape [rows, neurons])`);
        const values = jacobian.logSquaredNorms;
        const logNorm = logMeanExp(values) - Math.log(width);
        // Delta method: SE(ln mean) = SD(exp v)/(√n · mean exp v).
        const m = Math.max(...values);
        const scaled = values.map((v) => Math.exp(v - m));
        const mean = scaled.reduce((a, b) => a + b, 0) / scaled.length;
        const sd =
          scaled.length > 1 ? Math.sqrt(scaled.reduce((a, b) => a + (b - mean) ** 2, 0) / (scaled.length - 1)) : NaN;
        const mf = o.meta['meanField'] as
          | {
              jacobianLogSquaredNormPerNeuron?: number | null;
              chi1?: number;
              xiC?: number | null;
              sixXiC?: number | null;
            }
          | undefined;
        const overlays: Record<string, number> = {};
        const mfLog =
          typeof mf?.jacobianLogSquaredNormPerNeuron === 'number' ? mf.jacobianLogSquaredNormPerNeuron : undefined;
        if (typeof mf?.chi1 === 'number') overlays['ln_chi1'] = Math.log(mf.chi1);
        if (typeof mf?.xiC === 'number') overlays['xi_c'] = mf.xiC;
        if (typeof mf?.sixXiC === 'number') overlays['six_xi_c'] = mf.sixXiC;
        let value = logNorm;
        let uncertainty = Number.isFinite(sd) ? sd / Math.sqrt(scaled.length) / mean : undefined;
        if (this.params.output === 'log-slope') {
          if (previous) {
            value = logNorm - previous.logNorm;
            // Per-direction growth ratios are what fluctuate; their spread gives the error of the increment.
            const increments = values.map((v, i) => v - previous!.values[i]!);
            const im = increments.reduce((a, b) => a + b, 0) / increments.length;
            uncertainty =
              increments.length > 1
                ? Math.sqrt(
                    increments.reduce((a, b) => a + (b - im) ** 2, 0) / (increments.length - 1) / increments.length,
                  )
                : undefined;
            if (mfLog !== undefined && previous.meanField !== undefined)
              overlays['meanField'] = mfLog - previous.meanField;
          } else {
            value = logNorm; // layer 0: ln(‖J_0‖²/N_0) ≈ ln σ_w² (no previous layer)
            if (mfLog !== undefined) overlays['meanField'] = mfLog;
          }
        } else if (mfLog !== undefined) overlays['meanField'] = mfLog;
        previous = { logNorm, values, ...(mfLog !== undefined && { meanField: mfLog }) };
        return {
          probe: this.id,
          estimator: this.estimator,
          site: o.site,
          value,
          unit: 'dimensionless',
          ...(uncertainty !== undefined && Number.isFinite(uncertainty) && { uncertainty }),
          n: values.length,
          meta: {
            output: this.params.output,
            inputs: jacobian.inputs,
            directions: jacobian.directions,
            width,
            overlays,
          },
        } satisfies Measurement;
      }),
    );
  }
}

export const jacobianNormDescriptor: ProbeDescriptor<JacobianNormParams> = {
  id: 'jacobian-norm',
  version: '1.0.0',
  summary:
    'Input–output Jacobian growth ln(‖J_ℓ‖_F²/N_ℓ) across layers from forward-mode products (→ ℓ·ln χ₁): decays / flat / grows across the order-to-chaos line',
  display: {
    name: 'Jacobian growth',
    symbol: (p) => (p.output === 'log-slope' ? 'ln(‖J_ℓ‖²/‖J_ℓ₋₁‖²) per layer' : 'ln(‖J_ℓ‖²/N_ℓ)'),
    units: { dimensionless: 'dimensionless' },
    parameters: { output: { name: 'output' } },
    values: { 'log-norm': 'log norm', 'log-slope': 'log slope' },
  },
  citation:
    'Poole et al. arXiv:1606.05340; Schoenholz et al. arXiv:1611.01232; docs/science/random-mlp-mean-field.md §4.3',
  paramsSchema: jacobianNormParamsSchema,
  requires: () => ({ axes: ['layer'] }),
  create: (params, _context: RunContext) => new JacobianNormProbe(params),
};
