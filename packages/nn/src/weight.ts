import type { KernelBackend } from '@entroscope/kernels';
import { parameter, type Parameter } from './layer';

/**
 * How a dense layer obtains its weight matrix W (rows = outputs, cols = inputs, row-major: PyTorch's [out, in]
 * layout). The plain case stores W itself (`DirectWeight`); a parametrised weight computes W from its own
 * parameters (e.g. `SpectralWeight`: W = U·diag(s)·Vᵀ) and turns ∂loss/∂W into the gradients of those parameters.
 * The dense layer only ever sees W and ∂loss/∂W, so any differentiable map θ ↦ W(θ) plugs in.
 */
export interface WeightParametrisation {
  readonly kind: string;
  /** Output features (rows of W). */
  readonly rows: number;
  /** Input features (columns of W). */
  readonly cols: number;
  /** The learnable parameters (θ), in a fixed order. */
  parameters(): readonly Parameter[];
  /** W(θ) for the current values of θ (rows·cols floats). Read-only for the caller; valid until θ changes. */
  weight(kernels: KernelBackend): Promise<Float32Array>;
  /**
   * A buffer the dense layer writes ∂loss/∂W into (rows·cols floats). `DirectWeight` hands out its parameter's
   * `grad`, so no copy is made.
   */
  gradientBuffer(): Float32Array;
  /** Sets the grads of θ from ∂loss/∂W (already in `gradientBuffer()`): the vector–Jacobian product of θ ↦ W. */
  backward(kernels: KernelBackend): Promise<void>;
}

/** W is the parameter `weight` itself. */
export class DirectWeight implements WeightParametrisation {
  readonly kind = 'direct';
  readonly weightParameter: Parameter;

  constructor(
    readonly rows: number,
    readonly cols: number,
    values?: Float32Array,
  ) {
    this.weightParameter = parameter('weight', [rows, cols], values);
  }

  parameters(): readonly Parameter[] {
    return [this.weightParameter];
  }

  weight(): Promise<Float32Array> {
    return Promise.resolve(this.weightParameter.value);
  }

  gradientBuffer(): Float32Array {
    return this.weightParameter.grad;
  }

  backward(): Promise<void> {
    return Promise.resolve();
  }
}
