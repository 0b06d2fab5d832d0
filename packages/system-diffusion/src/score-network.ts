import type { RandomStream } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import {
  Activation,
  Dense,
  LayerNorm,
  RandomFourierFeatures,
  Sequential,
  TimeEmbedding,
  constant,
  truncatedNormalFanIn,
  type Layer,
  type Matrix,
  type Parameter,
} from '@entroscope/nn';

/**
 * An excess-score model: e(y, s) for a batch of points y (rows × D, float32) each at its own time s (rows).
 * In the entropy-matching parametrisation the score is ∇ln p_eq + e, so e* = ∇ln p_s − ∇ln p_eq.
 */
export interface ExcessScore {
  readonly dimension: number;
  evaluate(y: Float32Array, s: Float32Array, rows: number): Promise<Float32Array>;
}

export interface ScoreNetworkOptions {
  readonly dimension: number;
  /** Hidden widths, each followed by the time embedding, LayerNorm and sigmoid (authors: [512, 256]). */
  readonly hidden?: readonly number[];
  /** Fourier frequencies M per branch (authors: 256, so each embedding has 2M = 512 features). */
  readonly mappingSize?: number;
  /** Standard deviation of the frozen frequencies B_x and B_s (authors: 10 × Flax's normal() default 0.01 = 0.1). */
  readonly fourierStd?: number;
  readonly random: RandomStream;
}

/**
 * Flax's default Dense kernel initialiser lecun_normal: a normal truncated at ±2 standard deviations, rescaled so
 * that the truncated variance is 1/fan_in (the truncated unit normal has standard deviation 0.87962566103423978).
 */
export const lecunNormal = () => truncatedNormalFanIn(1 / 0.87962566103423978);

/**
 * The Neural Entropy authors' MLP score network (akhilprem1/NeuralEntropy model.py `DiffusionVPx`/`DiffusionSL`),
 * outputting the excess score e_θ(y, s):
 *   embed = sigmoid(Dense_{2M}(γ_s(s))),  h = sigmoid(Dense_{2M}(γ_x(y))),
 *   for each hidden width w: h = sigmoid(LayerNorm(Dense_w(h) + Dense_w(embed))),   e_θ = Dense_D(h),
 * with frozen random Fourier features γ (2M = 512 features), Flax default initialisation (lecun_normal kernels,
 * zero biases). The time embedding is computed once per batch and shared by the hidden layers (`TimeEmbedding`
 * layers read it from the forward context and hand back ∂loss/∂embed, summed here into the embedding branch).
 */
export class ScoreNetwork implements ExcessScore {
  readonly dimension: number;
  readonly timeBranch: Sequential;
  readonly main: Sequential;
  private readonly embeddings: TimeEmbedding[] = [];
  readonly embeddingSize: number;

  constructor(options: ScoreNetworkOptions) {
    const { dimension: D, hidden = [512, 256], mappingSize = 256, fourierStd = 0.1, random } = options;
    this.dimension = D;
    const E = 2 * mappingSize;
    this.embeddingSize = E;
    const dense = (inSize: number, outSize: number, label: string) =>
      new Dense(inSize, outSize, { weightInit: lecunNormal(), biasInit: constant(0), random: random.split(label) });
    this.timeBranch = new Sequential([
      new RandomFourierFeatures(1, { mappingSize, std: fourierStd, random: random.split('B_s') }),
      dense(E, E, 'embed'),
      new Activation('sigmoid', E),
    ]);
    const layers: Layer[] = [
      new RandomFourierFeatures(D, { mappingSize, std: fourierStd, random: random.split('B_x') }),
      dense(E, E, 'position'),
      new Activation('sigmoid', E),
    ];
    let width = E;
    hidden.forEach((w, l) => {
      layers.push(dense(width, w, `hidden:${l}`));
      const tau = new TimeEmbedding(w, E, {
        weightInit: lecunNormal(),
        biasInit: constant(0),
        random: random.split(`tau:${l}`),
      });
      this.embeddings.push(tau);
      layers.push(tau, new LayerNorm(w), new Activation('sigmoid', w));
      width = w;
    });
    layers.push(dense(width, D, 'output'));
    this.main = new Sequential(layers);
  }

  parameters(): Parameter[] {
    return [...this.timeBranch.parameters(), ...this.main.parameters()];
  }

  /** Number of learnable scalars. */
  get size(): number {
    return this.parameters().reduce((a, p) => a + p.value.length, 0);
  }

  /** e_θ(y, s) for a batch; with `training` the layers keep what `backward` needs. */
  async forward(
    y: Float32Array,
    s: Float32Array,
    rows: number,
    kernels: KernelBackend,
    training: boolean,
  ): Promise<Matrix> {
    const embed = await this.timeBranch.forward({ rows, cols: 1, data: s }, { kernels, training });
    return this.main.forward(
      { rows, cols: this.dimension, data: y },
      { kernels, training, extras: new Map([['time-embedding', embed]]) },
    );
  }

  /** Backpropagates ∂loss/∂e_θ of the last training forward into every parameter's grad. */
  async backward(gradOutput: Matrix, kernels: KernelBackend): Promise<void> {
    await this.main.backward(gradOutput, { kernels });
    const first = this.embeddings[0]!.embeddingGradient!;
    const sum = Float32Array.from(first.data);
    for (const layer of this.embeddings.slice(1)) {
      const g = layer.embeddingGradient!.data;
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + g[i]!;
    }
    await this.timeBranch.backward({ rows: first.rows, cols: first.cols, data: sum }, { kernels });
  }

  private kernels: KernelBackend | undefined;
  /** Binds the kernels used by `evaluate` (the ExcessScore view). */
  withKernels(kernels: KernelBackend): this {
    this.kernels = kernels;
    return this;
  }

  async evaluate(y: Float32Array, s: Float32Array, rows: number): Promise<Float32Array> {
    if (!this.kernels) throw new Error('ScoreNetwork.evaluate: call withKernels(kernels) first');
    const chunk = 4096;
    if (rows <= chunk) return (await this.forward(y, s, rows, this.kernels, false)).data;
    const out = new Float32Array(rows * this.dimension);
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const part = await this.forward(
        y.subarray(start * this.dimension, (start + n) * this.dimension),
        s.subarray(start, start + n),
        n,
        this.kernels,
        false,
      );
      out.set(part.data, start * this.dimension);
    }
    return out;
  }
}
