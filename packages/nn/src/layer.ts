import type { KernelBackend } from '@entroscope/kernels';
import type { Matrix } from './matrix';

/**
 * A learnable tensor: `value` and `grad` are float32, row-major, of the same length (the product of `shape`).
 * `grad` holds ∂loss/∂value of the most recent backward pass (backward overwrites it; it does not accumulate).
 * Optimisers update `value` in place, so a layer may keep views of it.
 */
export interface Parameter {
  /** Local name inside its layer (`weight`, `bias`, `singular-values`); a model prefixes layer paths. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

/** A new parameter with a zero gradient (`value` zero unless given). */
export function parameter(name: string, shape: readonly number[], value?: Float32Array): Parameter {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = value ?? new Float32Array(size);
  if (v.length !== size)
    throw new RangeError(`parameter '${name}': shape [${shape.join(', ')}] needs ${size} values, got ${v.length}`);
  return { name, shape: [...shape], value: v, grad: new Float32Array(size) };
}

/**
 * What a forward pass sees besides its input. `kernels` runs every dense product (the run's backend:
 * the WebAssembly GEMM on `cpu`, gpu.js elsewhere). `training` tells layers to keep what backward needs
 * (inputs, outputs); with `training: false` no cache is kept and backward must not be called. `extras` carries
 * batch-aligned side inputs by name (e.g. the diffusion time `t`, one row per example) for layers that read them.
 */
export interface ForwardContext {
  readonly kernels: KernelBackend;
  readonly training: boolean;
  readonly extras?: ReadonlyMap<string, Matrix>;
}

/** What a backward pass sees. */
export interface BackwardContext {
  readonly kernels: KernelBackend;
}

/**
 * The open layer interface. A layer maps a batch×inputSize matrix to a batch×outputSize matrix. After a
 * `forward` with `training: true`, `backward(gradOutput)` receives ∂loss/∂output of that same batch, writes
 * ∂loss/∂p into every parameter's `grad` and returns ∂loss/∂input. One forward/backward pair is in flight per
 * layer at a time (the layer caches its own tensors, like a one-entry tape).
 *
 * Add a layer (LayerNorm, a time embedding, random Fourier features, …) by implementing this interface in its own
 * file; docs/nn.md describes the contract and how to test it (central differences of a float64 twin).
 */
export interface Layer {
  /** Kind, kebab-case (`dense`, `activation:tanh`, `softmax`). */
  readonly kind: string;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Learnable parameters in a fixed order (their names unique within the layer). */
  parameters(): readonly Parameter[];
  forward(input: Matrix, context: ForwardContext): Promise<Matrix>;
  backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix>;
}
