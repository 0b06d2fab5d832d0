import { map, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type ExponentialFamilyExact,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
} from '@entroscope/core';
import { sampleUnits, unitStandardError } from './sample-units';

export const fisherInformationParamsSchema = z
  .object({
    estimator: z
      .discriminatedUnion('use', [
        z
          .object({
            use: z.literal('exact'),
            parameter: z
              .number()
              .int()
              .min(0)
              .max(16)
              .default(0)
              .describe('Index of the natural parameter θ_i (0: the coupling K)'),
          })
          .strict(),
        z
          .object({
            use: z.literal('bond-variance'),
            bootstrap: z
              .number()
              .int()
              .min(0)
              .max(10_000)
              .default(200)
              .describe('Bootstrap resamples of configurations for the standard error (0: none)'),
          })
          .strict(),
      ])
      .default({ use: 'exact', parameter: 0 })
      .describe(
        "'exact': ∂²A/∂θ_i² of the site's exponential-family description; 'bond-variance': Var(Σ_bonds s_i s_j)/N from L × L spin configurations",
      ),
  })
  .strict();
export type FisherInformationParams = z.infer<typeof fisherInformationParamsSchema>;

/**
 * Diagonal Fisher information per site F_ii/N = ∂²A/∂θ_i² of an exponential family. When the family gives ∇²A in
 * closed form (`exact.fisherInformation`) that value is returned (method 'closed-form'). Otherwise ∂(∇A)_i/∂θ_i
 * is differenced (method 'difference'): five-point central differences at steps h_k = 1e-2·2^−k·max(1, |θ_i|),
 * k = 0…22, and the estimate at the step where two successive estimates agree best (truncation error falls
 * like h⁴, rounding grows like 1/h; near a singularity at distance δ the best step is ≪ δ, which a fixed step
 * cannot know). `errorEstimate` is that disagreement. Tested against the closed form of the 2D Ising model at
 * K = K_c ± 7e-4 (docs/science/rg-ising.md §2.5): ≤ 1e-8 relative. For the 2D Ising model F/N = ∂²f/∂K² = 2 du/dK,
 * which diverges logarithmically at K_c.
 */
export function exponentialFamilyFisher(
  exact: ExponentialFamilyExact,
  parameter: number,
  options: { method?: 'closed-form' | 'difference' } = {},
): { value: number; method: 'closed-form' | 'difference'; step?: number; errorEstimate?: number } {
  const theta = [...exact.natural];
  if (exact.fisherInformation && options.method !== 'difference') {
    return { value: exact.fisherInformation(theta)[parameter]![parameter]!, method: 'closed-form' };
  }
  const at = (offset: number) => {
    const shifted = [...theta];
    shifted[parameter] = theta[parameter]! + offset;
    return exact.meanStatistics(shifted)[parameter]!;
  };
  const fivePoint = (h: number) => (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h);
  const scale = Math.max(1, Math.abs(theta[parameter]!));
  let previous = fivePoint(1e-2 * scale);
  let best = { value: previous, step: 1e-2 * scale, errorEstimate: Infinity };
  for (let k = 1; k <= 22; k++) {
    const step = 1e-2 * scale * 2 ** -k;
    const value = fivePoint(step);
    const change = Math.abs(value - previous);
    if (Number.isFinite(value) && change < best.errorEstimate) best = { value, step, errorEstimate: change };
    previous = value;
  }
  return { ...best, method: 'difference' };
}

/**
 * Var(B)/N with B = Σ_bonds s_i s_j over the 2N nearest-neighbour bonds of each L × L periodic configuration
 * (rows of `data`, shape [count, L, L]). For configurations drawn from the nearest-neighbour model at K this
 * estimates the Fisher information per site ∂²f/∂K² (docs/science/rg-ising.md §2.5) on the L × L torus; the 1/(n − 1)
 * variance is unbiased for independent configurations.
 */
export function bondSums(data: ArrayLike<number>, count: number, L: number): Float64Array {
  const out = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const base = c * L * L;
    let b = 0;
    for (let i = 0; i < L; i++) {
      const row = base + i * L;
      const down = base + ((i + 1) % L) * L;
      for (let j = 0; j < L; j++) b += data[row + j]! * (data[row + ((j + 1) % L)]! + data[down + j]!);
    }
    out[c] = b;
  }
  return out;
}

function varianceOfSelection(values: Float64Array, selection?: Uint32Array): number {
  const n = selection ? selection.length : values.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += values[selection ? selection[k]! : k]!;
  mean /= n;
  let s = 0;
  for (let k = 0; k < n; k++) s += (values[selection ? selection[k]! : k]! - mean) ** 2;
  return s / (n - 1);
}

/**
 * Fisher information per site, the infinitesimal relative entropy D(p_θ ‖ p_{θ+δ}) ≈ ½ F δ² (docs/science/rg-ising.md §2.5).
 * Unlike the finite relative entropies A and C along an RG flow, it sees the 2D critical point.
 * Unit: nats per site per unit squared natural parameter ('nat/site').
 */
export class FisherInformationProbe implements Probe {
  readonly id = 'fisher-information';
  readonly estimator: string;

  constructor(
    private readonly params: FisherInformationParams,
    private readonly context: RunContext,
  ) {
    this.estimator = params.estimator.use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    const estimator = this.params.estimator;
    return observations.pipe(
      map((o) =>
        estimator.use === 'exact' ? this.exact(o, estimator.parameter) : this.samples(o, estimator.bootstrap),
      ),
    );
  }

  private where(o: Observation): string {
    return `site ${o.site.axis}=${o.site.index}`;
  }

  private exact(o: Observation, parameter: number): Measurement {
    if (o.exact?.type !== 'exponential-family')
      throw new ProbeDataError(
        this.id,
        `${this.where(o)}: the exact estimator needs an exponential-family description, got ${o.exact?.type ?? 'none'}`,
      );
    if (parameter >= o.exact.natural.length)
      throw new ProbeDataError(
        this.id,
        `${this.where(o)}: parameter index ${parameter} out of range for [${o.exact.parameterNames.join(', ')}]`,
      );
    const { value, method, step, errorEstimate } = exponentialFamilyFisher(o.exact, parameter);
    return {
      probe: this.id,
      estimator: 'exact',
      site: o.site,
      value,
      unit: 'nat/site',
      n: null,
      meta: {
        family: o.exact.family,
        parameter: o.exact.parameterNames[parameter],
        natural: [...o.exact.natural],
        method,
        ...(step !== undefined && { differenceStep: step, differenceError: errorEstimate }),
      },
    };
  }

  private samples(o: Observation, bootstrap: number): Measurement {
    if (!o.data || o.shape.length !== 3 || o.shape[1] !== o.shape[2]) {
      throw new ProbeDataError(
        this.id,
        `${this.where(o)}: 'bond-variance' needs L × L spin configurations of shape [count, L, L], got ${o.data ? `shape [${o.shape.join(', ')}]` : 'no samples'} (set the system's layout to 'lattice')`,
      );
    }
    const [count, L] = o.shape as [number, number, number];
    if (count < 3) throw new ProbeDataError(this.id, `${this.where(o)}: need at least 3 configurations, got ${count}`);
    const sums = bondSums(o.data, count, L);
    const N = L * L;
    const value = varianceOfSelection(sums) / N;
    const random = this.context.random.split(`${o.site.axis}:${o.site.index}`);
    // Units are configurations, resampled in moving blocks when the chain's configurations are correlated.
    const { standardError, meta: uncertainty } = unitStandardError(
      [sampleUnits(o, count)],
      bootstrap,
      random,
      ([selection]) => varianceOfSelection(sums, selection) / N,
    );
    return {
      probe: this.id,
      estimator: 'bond-variance',
      site: o.site,
      value,
      unit: 'nat/site',
      ...(standardError !== undefined && { uncertainty: standardError }),
      n: count,
      meta: { latticeSide: L, bootstrap, uncertainty },
    };
  }
}

export const fisherInformationDescriptor: ProbeDescriptor<FisherInformationParams> = {
  id: 'fisher-information',
  version: '1.0.0',
  summary:
    'Fisher information per site ∂²A/∂θ² (exact, from an exponential-family description) or Var(Σ bonds)/N from square-lattice spin configurations',
  display: {
    name: 'Fisher information',
    symbol: (p) =>
      p.estimator.use === 'exact' && p.estimator.parameter !== 0
        ? `∂²A/∂θ_${p.estimator.parameter}²`
        : 'I(K) = ∂²A/∂K²',
    // A curvature of the log-partition function per site: a number per site, not an information in nats.
    units: { '*': 'per site, dimensionless' },
    parameters: { 'estimator.use': { name: 'estimator' }, 'estimator.parameter': { symbol: 'θ index' } },
    values: { 'bond-variance': 'Monte Carlo Var(Σ bonds)/N', exact: 'exact' },
  },
  citation: 'docs/science/rg-ising.md §2.5',
  paramsSchema: fisherInformationParamsSchema,
  requires: (params) => (params.estimator.use === 'exact' ? { exact: ['exponential-family'] } : { kinds: ['spins'] }),
  create: (params, context) => new FisherInformationProbe(params, context),
};
