import { ArgumentError } from '@entroscope/core';
import { activations, type Activation as ActivationName } from '@entroscope/kernels';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import type { Matrix } from './matrix';

export type { ActivationName };

/**
 * Element-wise y = φ(x) for φ ∈ {identity, tanh, relu, sigmoid, erf}, computed by the kernels' `activation`
 * kernel. Backward: φ' from the output where it is a function of it (tanh: 1 − y², sigmoid: y(1 − y), ReLU:
 * 1[y > 0], i.e. ReLU'(0) = 0 as in PyTorch; identity: 1), from the kernels' `activation-derivative` of the
 * input for erf (φ'(x) = 2/√π e^{−x²}).
 */
export class Activation implements Layer {
  readonly kind: string;
  private input: Matrix | null = null;
  private output: Matrix | null = null;

  constructor(
    readonly activation: ActivationName,
    readonly size: number,
  ) {
    if (!activations.includes(activation))
      throw new ArgumentError('Activation', `one of ${activations.join(', ')}`, activation);
    this.kind = `activation:${activation}`;
  }

  get inputSize(): number {
    return this.size;
  }
  get outputSize(): number {
    return this.size;
  }

  parameters(): readonly Parameter[] {
    return [];
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    const data =
      this.activation === 'identity'
        ? Float32Array.from(input.data)
        : await context.kernels.activation(this.activation, input.data);
    const output = { rows: input.rows, cols: input.cols, data };
    this.input = context.training ? input : null;
    this.output = context.training ? output : null;
    return output;
  }

  /** Whether backward needs only the output (so the activation may be fused into the preceding product). */
  get fusable(): boolean {
    return this.activation !== 'erf';
  }

  /** Takes y = φ(z) computed elsewhere (a fused product) as this layer's training forward output. */
  adoptOutput(output: Matrix): void {
    if (!this.fusable)
      throw new Error(`Activation(${this.activation}) needs its input for backward and cannot be fused`);
    this.input = null;
    this.output = output;
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    const x = this.input;
    const y = this.output;
    if (!y || (!x && !this.fusable))
      throw new Error(`Activation(${this.activation}).backward: no training forward pass to differentiate`);
    const g = gradOutput.data;
    const out = new Float32Array(g.length);
    const yd = y.data;
    switch (this.activation) {
      case 'identity':
        out.set(g);
        break;
      case 'tanh':
        for (let i = 0; i < g.length; i++) out[i] = g[i]! * (1 - yd[i]! * yd[i]!);
        break;
      case 'sigmoid':
        for (let i = 0; i < g.length; i++) out[i] = g[i]! * yd[i]! * (1 - yd[i]!);
        break;
      case 'relu':
        for (let i = 0; i < g.length; i++) out[i] = yd[i]! > 0 ? g[i]! : 0;
        break;
      default: {
        const d = await context.kernels.activationDerivative(this.activation, x!.data);
        for (let i = 0; i < g.length; i++) out[i] = g[i]! * d[i]!;
      }
    }
    this.input = null;
    this.output = null;
    return { rows: gradOutput.rows, cols: gradOutput.cols, data: out };
  }
}

/** Row-wise softmax (kernels `softmax`; backward by the `softmax-backward` vector–Jacobian product). */
export class Softmax implements Layer {
  readonly kind = 'softmax';
  private output: Matrix | null = null;

  constructor(readonly size: number) {}

  get inputSize(): number {
    return this.size;
  }
  get outputSize(): number {
    return this.size;
  }

  parameters(): readonly Parameter[] {
    return [];
  }

  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    const output = {
      rows: input.rows,
      cols: input.cols,
      data: await context.kernels.softmax(input.data, input.rows, input.cols),
    };
    this.output = context.training ? output : null;
    return output;
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    const y = this.output;
    if (!y) throw new Error('Softmax.backward: no training forward pass to differentiate');
    this.output = null;
    return {
      rows: y.rows,
      cols: y.cols,
      data: await context.kernels.softmaxBackward(y.data, gradOutput.data, y.rows, y.cols),
    };
  }
}
