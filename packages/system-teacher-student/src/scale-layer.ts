import type { BackwardContext, ForwardContext, Layer, Matrix, Parameter } from '@entroscope/nn';

/**
 * y = c·x elementwise, no parameters. Trains a probit channel through its conditional mean:
 * E[sign(z + √Δ ξ)] = erf(z/√(2Δ)), i.e. this layer with c = 1/√(2Δ) followed by an erf activation.
 */
export class ScaleLayer implements Layer {
  readonly kind = 'scale';
  constructor(
    readonly size: number,
    readonly factor: number,
  ) {}
  get inputSize(): number {
    return this.size;
  }
  get outputSize(): number {
    return this.size;
  }
  parameters(): readonly Parameter[] {
    return [];
  }
  forward(input: Matrix, _context: ForwardContext): Promise<Matrix> {
    const data = new Float32Array(input.data.length);
    for (let i = 0; i < data.length; i++) data[i] = input.data[i]! * this.factor;
    return Promise.resolve({ rows: input.rows, cols: input.cols, data });
  }
  backward(gradOutput: Matrix, _context: BackwardContext): Promise<Matrix> {
    return this.forward(gradOutput, _context as ForwardContext);
  }
}
