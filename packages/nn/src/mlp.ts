import { ArgumentError, type RandomStream } from '@entroscope/core';
import { Activation, Softmax, type ActivationName } from './activation-layer';
import { Dense } from './dense';
import type { Initialiser } from './initialisers';
import type { Layer } from './layer';
import { Sequential } from './sequential';

export interface MlpOptions {
  /** [input, hidden…, output] sizes: widths.length − 1 dense layers. */
  readonly widths: readonly number[];
  /** φ after every hidden dense layer. */
  readonly activation: ActivationName;
  /** After the last dense layer: an activation, 'softmax', or 'none' (default: logits). */
  readonly outputActivation?: ActivationName | 'softmax' | 'none';
  readonly weightInit: Initialiser;
  /** Default zeros; null for no biases. */
  readonly biasInit?: Initialiser | null;
  /** Dense layer ℓ (0-based) draws from random.split(`dense:ℓ`) (then `weight` / `bias`). */
  readonly random: RandomStream;
}

/**
 * A multilayer perceptron [Dense, φ, Dense, φ, …, Dense, output activation]: layer 2ℓ is the ℓ-th dense layer
 * and its output the pre-activation z^ℓ (what the RG/DNN authors' hooks record); parameter names are
 * `2ℓ.weight`, `2ℓ.bias` as in a PyTorch nn.Sequential of the same layers.
 */
export function mlp(options: MlpOptions): Sequential {
  const { widths, activation, outputActivation = 'none' } = options;
  if (widths.length < 2) throw new ArgumentError('mlp: widths', 'at least [input, output]', widths);
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    layers.push(
      new Dense(widths[l]!, widths[l + 1]!, {
        weightInit: options.weightInit,
        biasInit: options.biasInit === undefined ? undefined : options.biasInit,
        random: options.random.split(`dense:${l}`),
      }),
    );
    const last = l + 2 === widths.length;
    const phi = last ? outputActivation : activation;
    if (phi === 'softmax') layers.push(new Softmax(widths[l + 1]!));
    else if (phi !== 'none') layers.push(new Activation(phi, widths[l + 1]!));
  }
  return new Sequential(layers);
}
