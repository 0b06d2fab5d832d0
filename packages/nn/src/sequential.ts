import { ArgumentError } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import type { BackwardContext, ForwardContext, Layer, Parameter } from './layer';
import type { Matrix } from './matrix';
import { Activation } from './activation-layer';
import { Dense } from './dense';

/** What a forward hook sees: the layer's index in the stack, the layer, its input and its output. */
export interface ForwardHookEvent {
  readonly index: number;
  readonly layer: Layer;
  readonly input: Matrix;
  readonly output: Matrix;
  readonly training: boolean;
}

/**
 * Called after every layer's forward pass (PyTorch's `register_forward_hook`). The matrices are valid during
 * the call only: copy what you keep (layers may reuse buffers).
 */
export type ForwardHook = (event: ForwardHookEvent) => void;

/** A parameter with its path in the model, `<layer index>.<name>` (PyTorch's `state_dict` keys for nn.Sequential). */
export interface NamedParameter {
  readonly name: string;
  readonly parameter: Parameter;
}

/** A stack of layers applied in order; itself a Layer, so stacks nest (parameter names then nest: `1.0.weight`). */
export class Sequential implements Layer {
  readonly kind = 'sequential';
  readonly layers: readonly Layer[];
  private readonly hooks = new Set<ForwardHook>();

  constructor(layers: readonly Layer[]) {
    if (layers.length === 0) throw new ArgumentError('Sequential: layers', 'at least one layer', 0);
    for (let i = 1; i < layers.length; i++) {
      if (layers[i]!.inputSize !== layers[i - 1]!.outputSize) {
        throw new ArgumentError(
          `Sequential: layer ${i} (${layers[i]!.kind}) inputSize`,
          `${layers[i - 1]!.outputSize} (output of layer ${i - 1}, ${layers[i - 1]!.kind})`,
          layers[i]!.inputSize,
        );
      }
    }
    this.layers = [...layers];
  }

  get inputSize(): number {
    return this.layers[0]!.inputSize;
  }
  get outputSize(): number {
    return this.layers[this.layers.length - 1]!.outputSize;
  }

  parameters(): readonly Parameter[] {
    return this.namedParameters().map((p) => p.parameter);
  }

  namedParameters(): NamedParameter[] {
    return namedParametersOf(this);
  }

  /** Registers a hook called after each layer's forward; returns a function that removes it. */
  addForwardHook(hook: ForwardHook): () => void {
    this.hooks.add(hook);
    return () => void this.hooks.delete(hook);
  }

  /**
   * Applies the layers in order. In training forwards a Dense followed by a tanh, ReLU, sigmoid or identity
   * Activation runs as one fused product φ(x·Wᵀ + b) (one kernel call, no separate activation pass); hooks then
   * see the activation's output only (index of the activation), not the pre-activation. Evaluation forwards
   * (`training: false`, `activations()`) run every layer on its own, so hooks see every layer's output.
   */
  async forward(input: Matrix, context: ForwardContext): Promise<Matrix> {
    let x = input;
    for (let index = 0; index < this.layers.length; index++) {
      const layer = this.layers[index]!;
      const next = this.layers[index + 1];
      if (context.training && layer instanceof Dense && next instanceof Activation && next.fusable) {
        const y = await layer.forwardWithActivation(x, context, next.activation);
        next.adoptOutput(y);
        index++;
        for (const hook of this.hooks) hook({ index, layer: next, input: x, output: y, training: true });
        x = y;
        continue;
      }
      const y = await layer.forward(x, context);
      for (const hook of this.hooks) hook({ index, layer, input: x, output: y, training: context.training });
      x = y;
    }
    return x;
  }

  async backward(gradOutput: Matrix, context: BackwardContext): Promise<Matrix> {
    let g = gradOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) g = await this.layers[i]!.backward(g, context);
    return g;
  }

  /**
   * Every layer's output for `input` (evaluation mode, no caches kept): element ℓ is the output of layer ℓ,
   * copied. The systems' layer observations (e.g. the pre-activations z^ℓ = outputs of the dense layers).
   */
  async activations(input: Matrix, kernels: KernelBackend, extras?: ReadonlyMap<string, Matrix>): Promise<Matrix[]> {
    const out: Matrix[] = [];
    const remove = this.addForwardHook((e) =>
      out.push({ rows: e.output.rows, cols: e.output.cols, data: Float32Array.from(e.output.data) }),
    );
    try {
      await this.forward(input, { kernels, training: false, ...(extras ? { extras } : {}) });
    } finally {
      remove();
    }
    return out;
  }
}

/**
 * Parameters of any layer with their paths: a Sequential's children are prefixed by their index (recursively),
 * a plain layer's by nothing. Names are unique within a model.
 */
export function namedParametersOf(layer: Layer, prefix = ''): NamedParameter[] {
  if (layer instanceof Sequential)
    return layer.layers.flatMap((child, i) => namedParametersOf(child, `${prefix}${i}.`));
  return layer.parameters().map((parameter) => ({ name: `${prefix}${parameter.name}`, parameter }));
}
