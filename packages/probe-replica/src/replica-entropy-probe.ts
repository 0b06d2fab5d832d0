import { Observable, defer, map } from 'rxjs';
import {
  EntroscopeError,
  ProbeDataError,
  z,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
} from '@entroscope/core';
import { replicaLayer, type ReplicaLayerResult } from '@entroscope/replica';

export const replicaEntropyParamsSchema = z
  .object({
    quantity: z
      .enum(['mutual-information', 'entropy', 'conditional-entropy'])
      .default('mutual-information')
      .describe(
        "What the measurement's value is: I(x; h_ℓ), H(h_ℓ) or H(h_ℓ | x) (the other two are in meta either way)",
      ),
    normalisation: z
      .enum(['per-input', 'total'])
      .default('per-input')
      .describe("'per-input': nats per input unit (÷ n₀, unit nat/input); 'total': nats for the whole layer"),
    maxIterations: z
      .number()
      .int()
      .min(10)
      .max(100000)
      .default(2000)
      .describe('Largest number of sweeps of the fixed-point iteration'),
    tolerance: z.number().positive().max(1e-4).default(1e-12).describe('Convergence when Σ_ℓ |ΔV_ℓ| < tolerance'),
  })
  .strict();
export type ReplicaEntropyParams = z.infer<typeof replicaEntropyParamsSchema>;

/**
 * H(h_ℓ), H(h_ℓ | x) and I(x; h_ℓ) of the layer an observation shows, by the replica formula (Gabrié et al. 2018),
 * from the observation's exact `stochastic-network` description (prior, and per layer width, weight ensemble,
 * channel, noise). Exact in the large-width limit for Gaussian i.i.d. or orthogonally invariant weights; refuses,
 * naming the system, site and layer, unstructured weights, channels the formula does not know, and missing noise.
 * The mutual information is the true one when inner layers are noisy (the conditional entropy is computed by the
 * formula for the conditional network, not taken as the last layer's noise alone); see docs/replica.md.
 */
export class ReplicaEntropyProbe implements Probe {
  readonly id = 'replica-entropy';
  readonly estimator = 'replica';
  constructor(private readonly params: ReplicaEntropyParams) {}

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return defer(() => observations.pipe(map((o) => this.measure(o))));
  }

  private measure(o: Observation): Measurement {
    const where = `system '${o.system}', site ${o.site.axis}=${o.site.index}${o.site.time ? ` (${o.site.time.axis} ${o.site.time.index})` : ''}`;
    const exact = o.exact;
    if (exact?.type !== 'stochastic-network')
      throw new ProbeDataError(
        this.id,
        `${where}: expected an exact description of type 'stochastic-network' (prior, layers with weight ensembles, channels and noise), got ${exact ? `'${exact.type}'` : 'none'}`,
      );
    const layer = exact.layers.length;
    let result: ReplicaLayerResult;
    try {
      result = replicaLayer(exact, layer, {
        maxIterations: this.params.maxIterations,
        tolerance: this.params.tolerance,
      });
    } catch (error) {
      if (error instanceof EntroscopeError)
        throw new ProbeDataError(this.id, `${where}, layer ${layer}: ${error.message}`, { cause: error.details });
      throw error;
    }
    const perInput = this.params.normalisation === 'per-input';
    const pick = {
      'mutual-information': result.mutualInformationPerInput,
      entropy: result.entropyPerInput,
      'conditional-entropy': result.conditionalEntropyPerInput,
    }[this.params.quantity];
    const n0 = exact.inputDimension;
    const s = result.solution;
    return {
      probe: this.id,
      estimator: this.params.quantity,
      site: o.site,
      value: perInput ? pick : pick * n0,
      unit: perInput ? 'nat/input' : 'nat',
      n: null,
      meta: {
        quantity: this.params.quantity,
        layer,
        width: result.width,
        inputDimension: n0,
        entropyPerInput: result.entropyPerInput,
        conditionalEntropyPerInput: result.conditionalEntropyPerInput,
        mutualInformationPerInput: result.mutualInformationPerInput,
        outputNoiseOnlyMutualInformationPerInput: result.outputNoiseOnlyMutualInformationPerInput,
        conditionalMethod: result.conditionalMethod,
        ...(result.firstNoisyLayer !== undefined && { firstNoisyLayer: result.firstNoisyLayer }),
        method: s.method,
        iterations: s.iterations,
        residual: s.residual,
        initialisation: s.initialisation,
        damping: s.damping,
        candidates: s.candidates.map((c) => ({ ...c, phi: Number.isFinite(c.phi) ? c.phi : null })),
        ...(result.conditionalSolution && {
          conditional: {
            method: result.conditionalSolution.method,
            iterations: result.conditionalSolution.iterations,
            residual: result.conditionalSolution.residual,
            initialisation: result.conditionalSolution.initialisation,
          },
        }),
      },
    };
  }
}

export const replicaEntropyDescriptor: ProbeDescriptor<ReplicaEntropyParams> = {
  id: 'replica-entropy',
  version: '1.0.0',
  summary:
    'Entropy and mutual information I(x; h_ℓ) of a stochastic network layer by the replica formula (Gaussian i.i.d. or orthogonally invariant weights)',
  display: {
    name: 'Replica entropy and mutual information',
    symbol: (p) =>
      ({ 'mutual-information': 'I(X; T_ℓ)', entropy: 'H(T_ℓ)', 'conditional-entropy': 'H(T_ℓ | X)' })[p.quantity],
    units: { 'nat/input': 'nats per input unit', nat: 'nats' },
    parameters: {
      quantity: { name: 'quantity' },
      normalisation: { name: 'normalisation' },
      maxIterations: { name: 'maximum sweeps' },
      tolerance: { name: 'tolerance' },
    },
    axes: { layer: { name: 'layer', symbol: 'ℓ' }, epoch: { name: 'epoch' } },
    values: {
      'mutual-information': 'mutual information I(X; T_ℓ)',
      entropy: 'entropy H(T_ℓ)',
      'conditional-entropy': 'conditional entropy H(T_ℓ | X)',
      'per-input': 'per input unit',
      total: 'total',
    },
  },
  citation: 'Gabrié et al. 2018 (arXiv:1805.09785); Reeves 2017; Barbier & Macris 2019; docs/replica.md',
  paramsSchema: replicaEntropyParamsSchema as unknown as z.ZodType<ReplicaEntropyParams>,
  requires: () => ({ exact: ['stochastic-network'] }),
  create: (params) => new ReplicaEntropyProbe(params),
};
