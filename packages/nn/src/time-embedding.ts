import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { Initialiser } from './initialisers';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import { parameter } from './layer';
import { checkMatrix, type Matrix } from './matrix';

export interface TimeEmbeddingOptions {
  /** Name of the side input in `ForwardContext.extras` holding the embedding e (rows × embeddingSize). */
  readonly extra?: string;
  /** Initialiser of W (size × embeddingSize, fans = {embeddingSize, size}). */
  readonly weightInit: Initialiser;
  /** Initialiser of b (default zeros). */
  readonly biasInit?: Initialiser;
  /** Stream for the initialisers (split into `weight` and `bias`). */
  readonly random: RandomStream;
}

/**
 * Time conditioning of a hidden layer, as in score networks (Song et al. 2021, arXiv:2011.13456; the Neural
 * Entropy authors' MLP): y = x + e·Wᵀ + b, where e is a time embedding computed once per batch by the owner
 * of the model (e.g. sigmoid(Dense(Fourier features of t))) and passed by name in `ForwardContext.extras`
 * (default `time-embedding`). Parameters `weight` [size, embeddingSize] and `bias` [size]. Backward returns
 * ∂loss/∂x = g and keeps ∂loss/∂e = g·W in `embeddingGradient`, so that the owner can sum it over the layers sharing
 * one embedding and backpropagate into the embedding branch.
 */
export class TimeEmbedding implements Layer {
  readonly kind = 'time-embedding';
  readonly extra: string;
  readonly weight: Parameter;
  readonly bias: Parameter;
  /** ∂loss/∂e of the most recent backward (rows × embeddingSize), or null. */
  embeddingGradient: Matrix | null = null;
  private embedding: Matrix | null = null;

  constructor(
    readonly size: number,
    readonly embeddingSize: number,
    options: TimeEmbeddingOptions,
  ) {
    if (!(Number.isInteger(size) && size >= 1 && Number.isInteger(embeddingSize) && embeddingSize >= 1)) {
      throw new ArgumentError('TimeEmbedding: sizes', 'integers ≥ 1', { size, embeddingSize });
    }
    this.extra = options.extra ?? 'time-embedding';
    const fans = { fanIn: embeddingSize, fanOut: size };
    this.weight = parameter('weight', [size, embeddingSize]);
    options.weightInit.fill(options.random.split('weight'), this.weight.value, fans);
    this.bias = parameter('bias', [size]);
    options.biasInit?.fill(options.random.split('bias'), this.bias.value, fans);
  }

  get inputSize(): number {
    return this.size;
  }
  get outputSize(): number {
    return this.size;
  }

  parameters(): readonly Parameter[] {
    return [this.weight, this.bias];
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    checkMatrix('TimeEmbedding.forward: input', input, this.size);
    const e = context.extras?.get(this.extra);
    if (!e)
      throw new ArgumentError(
        `TimeEmbedding.forward: extras '${this.extra}'`,
        `a ${input.rows}×${this.embeddingSize} embedding in ForwardContext.extras`,
        'nothing',
      );
    checkMatrix(`TimeEmbedding.forward: extras '${this.extra}'`, e, this.embeddingSize, input.rows);
    const data = await context.kernels.matmul(e.data, this.weight.value, input.rows, this.embeddingSize, this.size, {
      transposeB: true,
      bias: this.bias.value,
    });
    const x = input.data;
    for (let i = 0; i < data.length; i++) data[i] = data[i]! + x[i]!;
    this.embedding = context.training ? e : null;
    return { rows: input.rows, cols: this.size, data };
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    const e = this.embedding;
    if (!e) throw new Error('TimeEmbedding.backward: no training forward pass to differentiate');
    checkMatrix('TimeEmbedding.backward: gradOutput', gradOutput, this.size, e.rows);
    const { rows } = e;
    await context.kernels.matmul(gradOutput.data, e.data, this.size, rows, this.embeddingSize, {
      transposeA: true,
      out: this.weight.grad,
    });
    const gb = new Float64Array(this.size);
    const g = gradOutput.data;
    for (let i = 0; i < rows; i++) for (let j = 0; j < this.size; j++) gb[j]! += g[i * this.size + j]!;
    this.bias.grad.set(gb);
    this.embeddingGradient = {
      rows,
      cols: this.embeddingSize,
      data: await context.kernels.matmul(g, this.weight.value, rows, this.size, this.embeddingSize),
    };
    this.embedding = null;
    return { rows, cols: this.size, data: Float32Array.from(g) };
  }
}
