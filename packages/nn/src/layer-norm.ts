import { ArgumentError } from '@entroscope/core';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import { parameter } from './layer';
import { checkMatrix, type Matrix } from './matrix';

/**
 * Layer normalisation over the features of each row (Ba, Kiros, Hinton 2016, arXiv:1607.06450), as Flax's
 * `nn.LayerNorm` and PyTorch's `nn.LayerNorm(size)`: y = (x − mean) / √(var + ε) ⊙ scale + bias, with the biased
 * (1/n) variance, ε = 1e-6 by default (Flax; PyTorch uses 1e-5), scale initialised to 1 and bias to 0 (parameters
 * `scale` and `bias`). Row statistics are float64. Backward, with x̂ the normalised input, r = 1/√(var + ε) and
 * ĝ = g ⊙ scale: ∂x = r (ĝ − mean(ĝ) − x̂ mean(ĝ ⊙ x̂)), ∂scale = Σ_rows g ⊙ x̂, ∂bias = Σ_rows g.
 */
export class LayerNorm implements Layer {
  readonly kind = 'layer-norm';
  readonly scale: Parameter;
  readonly bias: Parameter;
  private normalised: Float32Array | null = null;
  private inverseStd: Float64Array | null = null;

  constructor(
    readonly size: number,
    readonly epsilon = 1e-6,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new ArgumentError('LayerNorm: size', 'an integer ≥ 1', size);
    if (!(Number.isFinite(epsilon) && epsilon >= 0))
      throw new ArgumentError('LayerNorm: epsilon', 'a finite number ≥ 0', epsilon);
    this.scale = parameter('scale', [size], new Float32Array(size).fill(1));
    this.bias = parameter('bias', [size]);
  }

  get inputSize(): number {
    return this.size;
  }
  get outputSize(): number {
    return this.size;
  }

  parameters(): readonly Parameter[] {
    return [this.scale, this.bias];
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    checkMatrix('LayerNorm.forward: input', input, this.size);
    const n = this.size;
    const { rows } = input;
    const x = input.data;
    const xhat = new Float32Array(rows * n);
    const out = new Float32Array(rows * n);
    const inv = new Float64Array(rows);
    const scale = this.scale.value;
    const bias = this.bias.value;
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      let mean = 0;
      for (let j = 0; j < n; j++) mean += x[base + j]!;
      mean /= n;
      let variance = 0;
      for (let j = 0; j < n; j++) variance += (x[base + j]! - mean) ** 2;
      variance /= n;
      const r = 1 / Math.sqrt(variance + this.epsilon);
      inv[i] = r;
      for (let j = 0; j < n; j++) {
        const h = (x[base + j]! - mean) * r;
        xhat[base + j] = h;
        out[base + j] = h * scale[j]! + bias[j]!;
      }
    }
    this.normalised = context.training ? xhat : null;
    this.inverseStd = context.training ? inv : null;
    return { rows, cols: n, data: out };
  }

  async backward(gradOutput: Matrix, _context: BackwardContext): Promise<Matrix> {
    const xhat = this.normalised;
    const inv = this.inverseStd;
    if (!xhat || !inv) throw new Error('LayerNorm.backward: no training forward pass to differentiate');
    const n = this.size;
    const rows = inv.length;
    checkMatrix('LayerNorm.backward: gradOutput', gradOutput, n, rows);
    const g = gradOutput.data;
    const scale = this.scale.value;
    const gScale = new Float64Array(n);
    const gBias = new Float64Array(n);
    const out = new Float32Array(rows * n);
    for (let i = 0; i < rows; i++) {
      const base = i * n;
      let meanG = 0;
      let meanGX = 0;
      for (let j = 0; j < n; j++) {
        const gj = g[base + j]!;
        const h = xhat[base + j]!;
        gScale[j]! += gj * h;
        gBias[j]! += gj;
        const gh = gj * scale[j]!;
        meanG += gh;
        meanGX += gh * h;
      }
      meanG /= n;
      meanGX /= n;
      const r = inv[i]!;
      for (let j = 0; j < n; j++) out[base + j] = r * (g[base + j]! * scale[j]! - meanG - xhat[base + j]! * meanGX);
    }
    this.scale.grad.set(gScale);
    this.bias.grad.set(gBias);
    this.normalised = null;
    this.inverseStd = null;
    return { rows, cols: n, data: out };
  }
}
