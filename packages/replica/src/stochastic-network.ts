import { EntroscopeError, type StochasticNetworkExact } from '@entroscope/core';
import { REPLICA_CHANNELS, scalarChannel, type ScalarChannel } from './channels';
import { gaussianEnsemble, spectralEnsemble, type ReplicaEnsemble } from './ensembles';
import { separablePrior } from './priors';
import { solveReplica, type ReplicaModel, type ReplicaSolution, type ReplicaSolveOptions } from './replica-formula';

/** A network the formula cannot treat: says which layer, what was expected and what was given. */
export class ReplicaAssumptionError extends EntroscopeError {
  constructor(
    readonly layer: number | null,
    readonly field: string,
    message: string,
  ) {
    super('REPLICA_ASSUMPTION', message, { layer, field });
  }
}

export interface ReplicaLayerResult {
  /** ℓ = 1…L (h_ℓ is the observed variable). */
  readonly layer: number;
  /** n_ℓ. */
  readonly width: number;
  /** H(h_ℓ) per input unit (÷ n₀) and total, nats. */
  readonly entropyPerInput: number;
  readonly entropy: number;
  /** H(h_ℓ | x) per input unit and total, nats. */
  readonly conditionalEntropyPerInput: number;
  readonly conditionalEntropy: number;
  /** I(x; h_ℓ) = H(h_ℓ) − H(h_ℓ | x), per input unit and total, nats. */
  readonly mutualInformationPerInput: number;
  readonly mutualInformation: number;
  /**
   * H(h_ℓ) − (n_ℓ/n₀)·H(h_ℓ | z_ℓ): the mutual information as if only layer ℓ's own noise were random (dnner's
   * `mi`). Equal to the true I(x; h_ℓ) only when every layer below ℓ is noiseless; reported for comparison.
   */
  readonly outputNoiseOnlyMutualInformationPerInput: number;
  /**
   * How H(h_ℓ | x) was obtained: `output-noise` (layers below ℓ noiseless: h_ℓ | x has independent units
   * h | z_ℓ) or `conditional-network` (the replica formula for the layers above the first noisy layer k < ℓ, whose
   * units given x have the known law P(h_k | z_k)).
   */
  readonly conditionalMethod: 'output-noise' | 'conditional-network';
  /** The first noisy layer below ℓ, when `conditional-network`. */
  readonly firstNoisyLayer?: number;
  readonly solution: ReplicaSolution;
  readonly conditionalSolution?: ReplicaSolution;
}

function ensembleOf(layer: StochasticNetworkExact['layers'][number], index: number): ReplicaEnsemble {
  const alpha = layer.outputs / layer.inputs;
  const e = layer.ensemble;
  const where = `layers[${index - 1}] (layer ${index})`;
  switch (e.kind) {
    case 'gaussian-iid':
      if (!(e.variance > 0))
        throw new ReplicaAssumptionError(
          index,
          'ensemble.variance',
          `${where}.ensemble.variance: expected a number > 0, got ${e.variance}`,
        );
      return gaussianEnsemble(alpha, e.variance);
    case 'orthogonally-invariant': {
      if (e.spectrum.length !== layer.inputs)
        throw new ReplicaAssumptionError(
          index,
          'ensemble.spectrum',
          `${where}.ensemble.spectrum: expected the ${layer.inputs} eigenvalues of WᵀW (n_{ℓ−1} = inputs, zeros included), got ${e.spectrum.length} values`,
        );
      for (let i = 0; i < e.spectrum.length; i++)
        if (!(e.spectrum[i]! >= 0) || !Number.isFinite(e.spectrum[i]!))
          throw new ReplicaAssumptionError(
            index,
            'ensemble.spectrum',
            `${where}.ensemble.spectrum[${i}]: expected an eigenvalue ≥ 0, got ${e.spectrum[i]}`,
          );
      return spectralEnsemble(alpha, e.spectrum);
    }
    case 'unstructured':
      throw new ReplicaAssumptionError(
        index,
        'ensemble',
        `${where}.ensemble: the replica formula needs Gaussian i.i.d. or orthogonally invariant weights (W = U·diag(s)·Vᵀ with the spectrum given), got 'unstructured'`,
      );
    default:
      throw new ReplicaAssumptionError(
        index,
        'ensemble',
        `${where}.ensemble.kind: expected 'gaussian-iid' or 'orthogonally-invariant', got '${(e as { kind: string }).kind}'`,
      );
  }
}

function channelOf(layer: StochasticNetworkExact['layers'][number], index: number, isOutput: boolean): ScalarChannel {
  const where = `layers[${index - 1}] (layer ${index})`;
  if (!(layer.noiseVariance >= 0) || !Number.isFinite(layer.noiseVariance))
    throw new ReplicaAssumptionError(
      index,
      'noiseVariance',
      `${where}.noiseVariance: expected a number ≥ 0, got ${layer.noiseVariance}`,
    );
  const channel = scalarChannel(layer.channel, layer.noiseVariance);
  if (!channel)
    throw new ReplicaAssumptionError(
      index,
      'channel',
      `${where}.channel: the replica formula knows the channels ${REPLICA_CHANNELS.map((c) => `'${c}'`).join(', ')}, got '${layer.channel}'`,
    );
  if (isOutput && layer.noiseVariance === 0)
    throw new ReplicaAssumptionError(
      index,
      'noiseVariance',
      `${where}.noiseVariance: the observed layer needs noise (its entropy is otherwise −∞ or its fixed point degenerate), got 0`,
    );
  if (!isOutput && channel.discrete && layer.noiseVariance === 0)
    throw new ReplicaAssumptionError(
      index,
      'noiseVariance',
      `${where}.noiseVariance: an inner '${layer.channel}' layer has discrete values and needs noise > 0 for the formula to apply, got 0`,
    );
  return channel;
}

/** Checks a network description and returns the replica model of its first `depth` layers (h_depth observed). */
export function replicaModel(network: StochasticNetworkExact, depth = network.layers.length): ReplicaModel {
  const n0 = network.inputDimension;
  if (!(Number.isInteger(n0) && n0 > 0))
    throw new ReplicaAssumptionError(null, 'inputDimension', `inputDimension: expected an integer ≥ 1, got ${n0}`);
  if (depth < 1 || depth > network.layers.length)
    throw new ReplicaAssumptionError(
      null,
      'layers',
      `layers: expected at least ${depth} layer(s), got ${network.layers.length}`,
    );
  const layers = network.layers.slice(0, depth).map((layer, i) => {
    const index = i + 1;
    const expectedInputs = i === 0 ? n0 : network.layers[i - 1]!.outputs;
    if (layer.inputs !== expectedInputs)
      throw new ReplicaAssumptionError(
        index,
        'inputs',
        `layers[${i}] (layer ${index}).inputs: expected ${expectedInputs} (${i === 0 ? 'inputDimension' : `layer ${i}'s outputs`}), got ${layer.inputs}`,
      );
    if (!(Number.isInteger(layer.outputs) && layer.outputs > 0))
      throw new ReplicaAssumptionError(
        index,
        'outputs',
        `layers[${i}] (layer ${index}).outputs: expected an integer ≥ 1, got ${layer.outputs}`,
      );
    return {
      ensemble: ensembleOf(layer, index),
      channel: channelOf(layer, index, i === depth - 1),
      widthRatio: layer.outputs / n0,
    };
  });
  return { prior: separablePrior(network.prior), layers };
}

/**
 * H(h_ℓ), H(h_ℓ | x) and I(x; h_ℓ) for ℓ = 1…L by the replica formula (nats; per input unit and total).
 *
 * H(h_ℓ) is the formula applied to the first ℓ layers. The conditional entropy is not just layer ℓ's own noise
 * when a layer below is noisy (the pitfall of using φ + α̃ψ_out(0) as the mutual information): given x, the
 * layers up to the first noisy one, k, are deterministic, z_k is known, and h_k has independent units with law
 * P(h_k | z_k), z_k's empirical law being N(0, ρ̃_k). So H(h_ℓ | x) is the replica entropy of the network made of
 * layers k+1…ℓ whose input prior is that quenched law (for linear and ReLU channels a Gaussian of variance Δ_k
 * around a known mean), times n_k/n₀.
 */
export function replicaLayer(
  network: StochasticNetworkExact,
  depth = network.layers.length,
  options: ReplicaSolveOptions = {},
): ReplicaLayerResult {
  const n0 = network.inputDimension;
  {
    const model = replicaModel(network, depth);
    const solution = solveReplica(model, options);
    const width = network.layers[depth - 1]!.outputs;
    const ratio = width / n0;
    const own = ratio * model.layers[depth - 1]!.channel.conditionalEntropy(solution.preActivationMoments[depth - 1]!);
    let k = 0;
    for (let j = 1; j < depth; j++)
      if (network.layers[j - 1]!.noiseVariance > 0) {
        k = j;
        break;
      }
    let conditional = own;
    let conditionalSolution: ReplicaSolution | undefined;
    if (k > 0) {
      const nk = network.layers[k - 1]!.outputs;
      const prior = model.layers[k - 1]!.channel.conditionalPrior(solution.preActivationMoments[k - 1]!);
      const sub: ReplicaModel = {
        prior,
        layers: model.layers.slice(k, depth).map((l) => ({ ...l, widthRatio: (l.widthRatio * n0) / nk })),
      };
      conditionalSolution = solveReplica(sub, options);
      conditional = (nk / n0) * conditionalSolution.phi;
    }
    return {
      layer: depth,
      width,
      entropyPerInput: solution.phi,
      entropy: solution.phi * n0,
      conditionalEntropyPerInput: conditional,
      conditionalEntropy: conditional * n0,
      mutualInformationPerInput: solution.phi - conditional,
      mutualInformation: (solution.phi - conditional) * n0,
      outputNoiseOnlyMutualInformationPerInput: solution.phi - own,
      conditionalMethod: k > 0 ? 'conditional-network' : 'output-noise',
      ...(k > 0 && { firstNoisyLayer: k }),
      solution,
      ...(conditionalSolution && { conditionalSolution }),
    };
  }
}

/**
 * `replicaLayer` for every layer ℓ = 1…L whose own noise is > 0 (a noiseless continuous layer has no finite
 * differential entropy; its values are skipped, not invented).
 */
export function replicaLayers(
  network: StochasticNetworkExact,
  options: ReplicaSolveOptions = {},
): ReplicaLayerResult[] {
  const out: ReplicaLayerResult[] = [];
  for (let depth = 1; depth <= network.layers.length; depth++)
    if (network.layers[depth - 1]!.noiseVariance > 0) out.push(replicaLayer(network, depth, options));
  return out;
}
