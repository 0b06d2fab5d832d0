import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import { checkMatrix, type Matrix } from './matrix';

export interface RandomFourierFeaturesOptions {
  /** Number of frequencies M (output size 2M). */
  readonly mappingSize: number;
  /** Standard deviation of each frequency B_kj ~ N(0, std²). */
  readonly std: number;
  /** Stream the frequencies are drawn from (one normal per entry, row-major [M, inputSize]). */
  readonly random: RandomStream;
}

/**
 * Random Fourier features (Tancik et al. 2020, arXiv:2006.10739): γ(x) = [sin(2π x·Bᵀ), cos(2π x·Bᵀ)] with a
 * frozen Gaussian frequency matrix B (M × inputSize, entries N(0, std²)), output size 2M (all sines, then all
 * cosines, as the Neural Entropy authors' `input_mapping`). B is not a parameter: `parameters()` is empty and
 * backward only returns ∂loss/∂x = 2π (g_sin ⊙ cos − g_cos ⊙ sin)·B. The projection runs on `context.kernels.matmul`.
 */
export class RandomFourierFeatures implements Layer {
  readonly kind = 'random-fourier-features';
  readonly outputSize: number;
  readonly mappingSize: number;
  /** The frozen frequencies B, row-major [M, inputSize]. */
  readonly frequencies: Float32Array;
  private phase: Float32Array | null = null;

  constructor(
    readonly inputSize: number,
    options: RandomFourierFeaturesOptions,
  ) {
    const { mappingSize, std, random } = options;
    if (!(Number.isInteger(inputSize) && inputSize >= 1 && Number.isInteger(mappingSize) && mappingSize >= 1)) {
      throw new ArgumentError('RandomFourierFeatures: sizes', 'integers ≥ 1', { inputSize, mappingSize });
    }
    if (!(Number.isFinite(std) && std >= 0))
      throw new ArgumentError('RandomFourierFeatures: std', 'a finite number ≥ 0', std);
    this.mappingSize = mappingSize;
    this.outputSize = 2 * mappingSize;
    this.frequencies = new Float32Array(mappingSize * inputSize);
    for (let i = 0; i < this.frequencies.length; i++) this.frequencies[i] = std * random.normal();
  }

  parameters(): readonly Parameter[] {
    return [];
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    checkMatrix('RandomFourierFeatures.forward: input', input, this.inputSize);
    const M = this.mappingSize;
    const projection = await context.kernels.matmul(input.data, this.frequencies, input.rows, this.inputSize, M, {
      transposeB: true,
    });
    const out = new Float32Array(input.rows * 2 * M);
    const twoPi = 2 * Math.PI;
    for (let i = 0; i < input.rows; i++) {
      for (let k = 0; k < M; k++) {
        const a = twoPi * projection[i * M + k]!;
        projection[i * M + k] = a;
        out[i * 2 * M + k] = Math.sin(a);
        out[i * 2 * M + M + k] = Math.cos(a);
      }
    }
    this.phase = context.training ? projection : null;
    return { rows: input.rows, cols: 2 * M, data: out };
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    const phase = this.phase;
    if (!phase) throw new Error('RandomFourierFeatures.backward: no training forward pass to differentiate');
    const M = this.mappingSize;
    const rows = phase.length / M;
    checkMatrix('RandomFourierFeatures.backward: gradOutput', gradOutput, 2 * M, rows);
    const g = gradOutput.data;
    const gp = new Float32Array(rows * M);
    const twoPi = 2 * Math.PI;
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < M; k++) {
        const a = phase[i * M + k]!;
        gp[i * M + k] = twoPi * (g[i * 2 * M + k]! * Math.cos(a) - g[i * 2 * M + M + k]! * Math.sin(a));
      }
    }
    const data = await context.kernels.matmul(gp, this.frequencies, rows, M, this.inputSize);
    this.phase = null;
    return { rows, cols: this.inputSize, data };
  }
}
