import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import { parameter } from './layer';
import { checkMatrix, type Matrix } from './matrix';
import type { Initialiser } from './initialisers';
import type { Activation as ActivationName } from '@entroscope/kernels';
import { DirectWeight, type WeightParametrisation } from './weight';

export interface DenseOptions {
  /** Initialiser of W (ignored when `weight` is given). Required unless `weight` is given. */
  readonly weightInit?: Initialiser;
  /** Initialiser of b; `null` for a layer without bias. Default zeros. */
  readonly biasInit?: Initialiser | null;
  /** Stream for the initialisers (split into `weight` and `bias`); required when an initialiser draws. */
  readonly random?: RandomStream;
  /** A parametrised weight (e.g. SpectralWeight); by default W itself is the parameter (`DirectWeight`). */
  readonly weight?: WeightParametrisation;
}

/**
 * Affine layer z = x·Wᵀ + b (PyTorch's `nn.Linear`): W is outputSize×inputSize ([out, in], row-major), b has
 * outputSize entries. All three products of a training step run on `context.kernels.matmul`:
 * forward z = x·Wᵀ (+ b fused), backward ∂W = Gᵀ·x, ∂x = G·W; ∂b is the column sum of G (float64 sums).
 */
export class Dense implements Layer {
  readonly kind = 'dense';
  readonly weight: WeightParametrisation;
  readonly bias: Parameter | null;
  private input: Matrix | null = null;
  private weightValues: Float32Array | null = null;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    options: DenseOptions = {},
  ) {
    if (!(Number.isInteger(inputSize) && inputSize >= 1 && Number.isInteger(outputSize) && outputSize >= 1)) {
      throw new ArgumentError('Dense: sizes', 'integers ≥ 1', { inputSize, outputSize });
    }
    const fans = { fanIn: inputSize, fanOut: outputSize };
    if (options.weight) {
      if (options.weight.rows !== outputSize || options.weight.cols !== inputSize) {
        throw new ArgumentError(
          'Dense: weight',
          `a ${outputSize}×${inputSize} parametrisation`,
          `${options.weight.rows}×${options.weight.cols}`,
        );
      }
      this.weight = options.weight;
    } else {
      if (!options.weightInit)
        throw new ArgumentError('Dense: weightInit', 'an initialiser (or a weight parametrisation)', undefined);
      const direct = new DirectWeight(outputSize, inputSize);
      options.weightInit.fill(
        streamFor(options.random, 'weight', options.weightInit),
        direct.weightParameter.value,
        fans,
      );
      this.weight = direct;
    }
    const biasInit = options.biasInit === undefined ? null : options.biasInit;
    if (options.biasInit === null) this.bias = null;
    else {
      this.bias = parameter('bias', [outputSize]);
      if (biasInit) biasInit.fill(streamFor(options.random, 'bias', biasInit), this.bias.value, fans);
    }
  }

  parameters(): readonly Parameter[] {
    return this.bias ? [...this.weight.parameters(), this.bias] : this.weight.parameters();
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    return this.forwardWithActivation(input, context, 'identity');
  }

  /**
   * φ(x·Wᵀ + b) in one kernel call (the activation fused into the product's epilogue). Sequential uses it in
   * training forwards for a Dense followed by an Activation whose derivative is a function of its output; this
   * layer's backward is unchanged (it receives ∂loss/∂z from the activation's backward).
   */
  async forwardWithActivation(input: Matrix, context: ForwardContext, activation: ActivationName): Promise<Matrix> {
    checkMatrix('Dense.forward: input', input, this.inputSize);
    const w = await this.weight.weight(context.kernels);
    const data = await context.kernels.matmul(input.data, w, input.rows, this.inputSize, this.outputSize, {
      transposeB: true,
      activation,
      ...(this.bias ? { bias: this.bias.value } : {}),
    });
    if (context.training) {
      this.input = input;
      this.weightValues = w;
    } else {
      this.input = null;
      this.weightValues = null;
    }
    return { rows: input.rows, cols: this.outputSize, data };
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    const x = this.input;
    const w = this.weightValues;
    if (!x || !w)
      throw new Error(
        'Dense.backward: no training forward pass to differentiate (call forward with training: true first)',
      );
    checkMatrix('Dense.backward: gradOutput', gradOutput, this.outputSize, x.rows);
    const { rows } = x;
    const out = this.outputSize;
    const gradW = this.weight.gradientBuffer();
    await context.kernels.matmul(gradOutput.data, x.data, out, rows, this.inputSize, { transposeA: true, out: gradW });
    await this.weight.backward(context.kernels);
    if (this.bias) {
      const gb = new Float64Array(out);
      const g = gradOutput.data;
      for (let i = 0; i < rows; i++) {
        const base = i * out;
        for (let j = 0; j < out; j++) gb[j]! += g[base + j]!;
      }
      this.bias.grad.set(gb);
    }
    const gradInput = await context.kernels.matmul(gradOutput.data, w, rows, out, this.inputSize);
    this.input = null;
    this.weightValues = null;
    return { rows, cols: this.inputSize, data: gradInput };
  }
}

function streamFor(random: RandomStream | undefined, label: string, init: Initialiser): RandomStream {
  if (random) return random.split(label);
  // Deterministic initialisers (constant, given) never draw; others need a stream.
  return new Proxy({} as RandomStream, {
    get: () => {
      throw new ArgumentError(
        `Dense: random (for ${init.id})`,
        'a RandomStream for an initialiser that draws',
        undefined,
      );
    },
  });
}
