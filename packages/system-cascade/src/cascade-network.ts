import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import { Adam, meanSquaredError, normal, normalFanIn, pytorchLinearDefault, type Parameter } from '@entroscope/nn';

/** One untrained forward block a^ℓ = tanh(W_ℓ a^{ℓ−1} + b_ℓ): W is [N_ℓ, N_{ℓ−1}] row-major. */
interface ForwardBlock {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** One auxiliary map g_ℓ(a) = tanh(V_ℓ a + c_ℓ): N_ℓ → N_{ℓ−1}, V is [N_{ℓ−1}, N_ℓ] (PyTorch Linear(N_ℓ, N_{ℓ−1})). */
interface InverseMap {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly optimiser: Adam;
}

/**
 * The cascade of the reconstruction-entropy paper (Thurn, Jefferson, Erdmenger 2024, arXiv:2406.12916; code
 * YanickT/Infoflow-paper src/network.py, `Network` and `ContraNetwork`; docs/cascade.md):
 *  - an untrained forward network of tanh blocks, W ~ N(0, σ_w²/N_{ℓ−1}), b ~ N(0, σ_b²);
 *  - one auxiliary map g_ℓ per block with PyTorch's default Linear initialisation and its own Adam (lr 1e-3,
 *    β = (0.9, 0.999), ε = 1e-8);
 *  - layer-local training: on every minibatch, for ℓ = 1…L, a^ℓ is computed without gradients and g_ℓ takes one
 *    Adam step on mse(g_ℓ(a^ℓ), a^{ℓ−1}) (a^0 = the images). The forward network is never trained.
 *  - reconstruction from depth ℓ: x̂^(ℓ) = g_1 ∘ … ∘ g_ℓ(a^ℓ(x)).
 * float32 storage, products on the run's kernels (`matmul` with fused bias + tanh). The gradient of g_ℓ's
 * weight is written into one scratch buffer shared by all maps (Adam consumes it at once), so the state is
 * 4 floats per inverse weight (value, Adam m and v, and the forward weight beside it) plus the shared scratch.
 */
export class CascadeNetwork {
  readonly forward: readonly ForwardBlock[];
  readonly inverse: readonly InverseMap[];
  private readonly scratch: Float32Array;

  constructor(
    readonly widths: readonly number[],
    readonly sigmaW2: number,
    readonly sigmaB2: number,
    random: RandomStream,
  ) {
    if (widths.length < 2 || widths.some((w) => !(Number.isInteger(w) && w >= 1)))
      throw new ArgumentError('CascadeNetwork: widths', 'at least two integer sizes ≥ 1', widths);
    if (!(sigmaW2 > 0)) throw new ArgumentError('CascadeNetwork: sigmaW2', 'a number > 0', sigmaW2);
    if (!(sigmaB2 >= 0)) throw new ArgumentError('CascadeNetwork: sigmaB2', 'a number ≥ 0', sigmaB2);
    const forward: ForwardBlock[] = [];
    const inverse: InverseMap[] = [];
    let largest = 0;
    for (let l = 0; l + 1 < widths.length; l++) largest = Math.max(largest, widths[l]! * widths[l + 1]!);
    // One gradient buffer for every inverse weight: each map's grad is a view of it (Adam reads it at once).
    this.scratch = new Float32Array(largest);
    const weightInit = normalFanIn(sigmaW2);
    const biasInit = normal(sigmaB2);
    const inverseInit = pytorchLinearDefault();
    for (let l = 0; l + 1 < widths.length; l++) {
      const nIn = widths[l]!;
      const nOut = widths[l + 1]!;
      const r = random.split(`block:${l + 1}`);
      const weight = new Float32Array(nOut * nIn);
      const bias = new Float32Array(nOut);
      weightInit.fill(r.split('forward').split('weight'), weight, { fanIn: nIn, fanOut: nOut });
      biasInit.fill(r.split('forward').split('bias'), bias, { fanIn: nIn, fanOut: nOut });
      forward.push({ inputSize: nIn, outputSize: nOut, weight, bias });
      inverse.push({
        weight: {
          name: `inverse:${l + 1}.weight`,
          shape: [nIn, nOut],
          value: new Float32Array(nIn * nOut),
          grad: this.scratch.subarray(0, nIn * nOut),
        },
        bias: {
          name: `inverse:${l + 1}.bias`,
          shape: [nIn],
          value: new Float32Array(nIn),
          grad: new Float32Array(nIn),
        },
        optimiser: new Adam(),
      });
      const g = inverse[l]!;
      inverseInit.fill(r.split('inverse').split('weight'), g.weight.value, { fanIn: nOut, fanOut: nIn });
      inverseInit.fill(r.split('inverse').split('bias'), g.bias.value, { fanIn: nOut, fanOut: nIn });
    }
    this.forward = forward;
    this.inverse = inverse;
  }

  get blocks(): number {
    return this.forward.length;
  }

  /** Bytes held by the network's state (forward weights and biases, inverse values, Adam moments, gradient scratch). */
  stateBytes(): number {
    let floats = this.scratch.length;
    for (const f of this.forward) floats += f.weight.length + f.bias.length;
    for (const g of this.inverse) floats += 3 * (g.weight.value.length + g.bias.value.length) + g.bias.grad.length;
    return 4 * floats;
  }

  /** Multiply–accumulates of one training step per image: forward product, g_ℓ forward and ∂V per block. */
  trainingMacsPerImage(): number {
    return this.forward.reduce((a, f) => a + 3 * f.inputSize * f.outputSize, 0);
  }

  /** a^ℓ = tanh(W_ℓ a^{ℓ−1} + b_ℓ) for the `rows` rows of `input` (block index l = ℓ − 1). */
  async forwardBlock(l: number, input: Float32Array, rows: number, kernels: KernelBackend): Promise<Float32Array> {
    const f = this.forward[l]!;
    return kernels.matmul(input, f.weight, rows, f.inputSize, f.outputSize, {
      transposeB: true,
      bias: f.bias,
      activation: 'tanh',
    });
  }

  /** g_ℓ(a) = tanh(V_ℓ a + c_ℓ) for the rows of `a` (block index l = ℓ − 1). */
  async inverseMap(l: number, a: Float32Array, rows: number, kernels: KernelBackend): Promise<Float32Array> {
    const f = this.forward[l]!;
    const g = this.inverse[l]!;
    return kernels.matmul(a, g.weight.value, rows, f.outputSize, f.inputSize, {
      transposeB: true,
      bias: g.bias.value,
      activation: 'tanh',
    });
  }

  /**
   * One minibatch of layer-local training: every g_ℓ takes one Adam step on mse(g_ℓ(a^ℓ), a^{ℓ−1}).
   * Returns the loss of each map before its step (float64 mean over the batch's elements).
   */
  async trainBatch(images: Float32Array, rows: number, kernels: KernelBackend): Promise<Float64Array> {
    const losses = new Float64Array(this.blocks);
    let previous = images;
    for (let l = 0; l < this.blocks; l++) {
      const f = this.forward[l]!;
      const g = this.inverse[l]!;
      const a = await this.forwardBlock(l, previous, rows, kernels);
      const output = await this.inverseMap(l, a, rows, kernels);
      const { loss, grad } = meanSquaredError.evaluate(
        { rows, cols: f.inputSize, data: output },
        { rows, cols: f.inputSize, data: previous },
      );
      losses[l] = loss;
      // Through tanh: ∂loss/∂(V a + c) = ∂loss/∂g · (1 − g²).
      const delta = grad.data;
      for (let i = 0; i < delta.length; i++) delta[i] = delta[i]! * (1 - output[i]! * output[i]!);
      await kernels.matmul(delta, a, f.inputSize, rows, f.outputSize, { transposeA: true, out: g.weight.grad });
      const columnSums = new Float64Array(f.inputSize);
      for (let r = 0; r < rows; r++) {
        const base = r * f.inputSize;
        for (let j = 0; j < f.inputSize; j++) columnSums[j]! += delta[base + j]!;
      }
      g.bias.grad.set(columnSums);
      g.optimiser.step([g.weight, g.bias]);
      previous = a;
    }
    return losses;
  }

  /**
   * Largest Lyapunov exponent of this realized forward network along the trajectories of `rows` inputs (nats per
   * block): a random unit tangent vector v per row is carried through the block Jacobians J_ℓ = diag(1 − a_ℓ²) W_ℓ
   * and renormalised after every block, and λ is the mean over rows and over the blocks l ∈ [from, to) (0-based)
   * of ln ‖J_ℓ v‖. As the width N → ∞ it tends to ½ ln χ₁ of mean field, which crosses 0 at σ_w²_c; at finite
   * width each network has its own zero crossing, shifted and scattered (docs/cascade.md, "Why the peak moves").
   * `perRow` holds each row's mean over the blocks. Blocks before `from` are the transient towards q*; the blocks
   * used should keep the width (ln ‖J v‖ between different widths has no common scale).
   */
  async lyapunovExponent(
    images: Float32Array,
    rows: number,
    kernels: KernelBackend,
    random: RandomStream,
    from: number,
    to: number,
  ): Promise<{ exponent: number; perRow: Float64Array }> {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to > from && to <= this.blocks))
      throw new ArgumentError('lyapunovExponent: [from, to)', `block indices with 0 ≤ from < to ≤ ${this.blocks}`, [
        from,
        to,
      ]);
    const width0 = this.widths[0]!;
    let v: Float32Array = new Float32Array(rows * width0);
    for (let i = 0; i < v.length; i++) v[i] = random.normal();
    const normalise = (t: Float32Array, cols: number, acc: Float64Array | null) => {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += t[r * cols + j]! * t[r * cols + j]!;
        const norm = Math.sqrt(s);
        if (acc) acc[r]! += Math.log(norm);
        for (let j = 0; j < cols; j++) t[r * cols + j] = t[r * cols + j]! / norm;
      }
    };
    normalise(v, width0, null);
    const perRow = new Float64Array(rows);
    let a = images;
    for (let l = 0; l < to; l++) {
      const f = this.forward[l]!;
      a = await this.forwardBlock(l, a, rows, kernels);
      v = await kernels.matmul(v, f.weight, rows, f.inputSize, f.outputSize, { transposeB: true });
      for (let i = 0; i < v.length; i++) v[i] = v[i]! * (1 - a[i]! * a[i]!);
      normalise(v, f.outputSize, l >= from ? perRow : null);
    }
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += perRow[r]! /= to - from;
    return { exponent: sum / rows, perRow };
  }

  /**
   * Reconstructions of `rows` images from every depth: calls `visit(ℓ, x̂^(ℓ))` for ℓ = 1…L in order with
   * x̂^(ℓ) = g_1 ∘ … ∘ g_ℓ(a^ℓ) (g_1 applied last). Holds one activation and one reconstruction at a time.
   */
  async reconstruct(
    images: Float32Array,
    rows: number,
    kernels: KernelBackend,
    visit: (layer: number, reconstruction: Float32Array) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    let a = images;
    for (let l = 0; l < this.blocks; l++) {
      signal?.throwIfAborted();
      a = await this.forwardBlock(l, a, rows, kernels);
      let x = a;
      for (let k = l; k >= 0; k--) x = await this.inverseMap(k, x, rows, kernels);
      await visit(l + 1, x);
    }
  }
}
