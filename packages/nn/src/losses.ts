import { ArgumentError } from '@entroscope/core';
import { checkMatrix, type Matrix } from './matrix';

/** Class labels 0…classes−1, one per row. */
export type Labels = ArrayLike<number>;

/** A loss value (mean over the batch, PyTorch's `reduction='mean'`) and its gradient with respect to the output. */
export interface LossResult {
  /** In nats for the cross-entropies; squared output units for MSE. */
  readonly loss: number;
  readonly grad: Matrix;
}

/** A differentiable loss of a network output against a target of type T. Computed in float64, gradients stored float32. */
export interface Loss<T> {
  readonly id: string;
  evaluate(output: Matrix, target: T): LossResult;
}

/** Mean squared error over all elements: (1/(B·n)) Σ (y − t)² (PyTorch `mse_loss`). */
export const meanSquaredError: Loss<Matrix> = {
  id: 'mse',
  evaluate(output, target) {
    checkMatrix('meanSquaredError: target', target, output.cols, output.rows);
    const n = output.data.length;
    const grad = new Float32Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const r = output.data[i]! - target.data[i]!;
      sum += r * r;
      grad[i] = (2 * r) / n;
    }
    return { loss: n === 0 ? 0 : sum / n, grad: { rows: output.rows, cols: output.cols, data: grad } };
  },
};

/**
 * Cross-entropy of logits z against labels: mean over rows of log Σ_j e^{z_j} − z_y (PyTorch `cross_entropy`),
 * log-sum-exp shifted by the row maximum. Gradient (softmax(z) − onehot(y))/B.
 */
export const crossEntropyFromLogits: Loss<Labels> = {
  id: 'cross-entropy',
  evaluate(output, labels) {
    const { loss, grad } = crossEntropy('crossEntropyFromLogits', output.data, output.rows, output.cols, labels);
    return { loss, grad: { rows: output.rows, cols: output.cols, data: Float32Array.from(grad) } };
  },
};

/**
 * The cascade and RG/DNN authors' loss: PyTorch `cross_entropy` applied to the *softmax outputs* p = softmax(z)
 * of the network (a double softmax): mean over rows of log Σ_j e^{p_j} − p_y, differentiated through both
 * softmaxes. It is bounded below by log(1 + (C−1)e^{−1}) (1.4611 for 10 classes), not by 0. The input is the
 * pre-softmax output z; do not put a Softmax layer in front of it.
 */
export const crossEntropyOnSoftmax: Loss<Labels> = {
  id: 'cross-entropy-on-softmax',
  evaluate(output, labels) {
    const { rows, cols } = output;
    const p = new Float64Array(output.data.length);
    for (let i = 0; i < rows; i++) softmaxRow(output.data, i * cols, cols, p);
    const inner = crossEntropy('crossEntropyOnSoftmax', p, rows, cols, labels);
    // Vector–Jacobian product of the first softmax: dz = p ⊙ (g − ⟨g, p⟩) per row.
    const g = inner.grad;
    const grad = new Float32Array(g.length);
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += g[base + j]! * p[base + j]!;
      for (let j = 0; j < cols; j++) grad[base + j] = p[base + j]! * (g[base + j]! - dot);
    }
    return { loss: inner.loss, grad: { rows, cols, data: grad } };
  },
};

function softmaxRow(x: ArrayLike<number>, base: number, cols: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (x[base + j]! > max) max = x[base + j]!;
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += out[base + j] = Math.exp(x[base + j]! - max);
  for (let j = 0; j < cols; j++) out[base + j]! /= sum;
}

/** Mean cross-entropy of logits `z` (rows×cols) and its float64 gradient (softmax(z) − onehot)/rows. */
function crossEntropy(
  where: string,
  z: ArrayLike<number>,
  rows: number,
  cols: number,
  labels: Labels,
): { loss: number; grad: Float64Array } {
  if (labels.length !== rows)
    throw new ArgumentError(`${where}: labels`, `${rows} labels (one per row)`, `${labels.length}`);
  const grad = new Float64Array(rows * cols);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const y = labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < cols))
      throw new ArgumentError(`${where}: labels[${i}]`, `an integer class in [0, ${cols})`, y);
    const base = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (z[base + j]! > max) max = z[base + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += grad[base + j] = Math.exp(z[base + j]! - max);
    total += Math.log(sum) + max - z[base + y]!;
    for (let j = 0; j < cols; j++) grad[base + j] = (grad[base + j]! / sum - (j === y ? 1 : 0)) / rows;
  }
  return { loss: rows === 0 ? 0 : total / rows, grad };
}

/** Fraction of rows whose arg-max (first maximum on ties, as torch.argmax) equals the label. */
export function accuracy(output: Matrix, labels: Labels): number {
  if (labels.length !== output.rows)
    throw new ArgumentError('accuracy: labels', `${output.rows} labels`, labels.length);
  let correct = 0;
  for (let i = 0; i < output.rows; i++)
    if (argmaxRow(output.data, i * output.cols, output.cols) === labels[i]) correct++;
  return output.rows === 0 ? 0 : correct / output.rows;
}

export function argmaxRow(x: ArrayLike<number>, base: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (x[base + j]! > x[base + best]!) best = j;
  return best;
}
