import { ArgumentError } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import type { Layer } from './layer';
import { accuracy, crossEntropyFromLogits, type Labels, type Loss } from './losses';
import { gatherRows, type Matrix } from './matrix';
import type { Optimiser } from './optimisers';

/** A data set that hands out minibatches by example index. */
export interface Examples<T> {
  readonly count: number;
  readonly inputSize: number;
  batch(indices: ArrayLike<number>): { input: Matrix; target: T };
}

/** Inputs (count×inputSize row-major) with one class label each. Not copied. */
export function labelledExamples(inputs: Float32Array, inputSize: number, labels: Labels): Examples<Labels> {
  const count = inputs.length / inputSize;
  if (!Number.isInteger(count) || labels.length !== count)
    throw new ArgumentError('labelledExamples', `inputs of count×${inputSize} floats and count labels`, {
      floats: inputs.length,
      labels: labels.length,
    });
  return {
    count,
    inputSize,
    batch(indices) {
      const target = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) target[i] = labels[indices[i]!]!;
      return { input: gatherRows(inputs, inputSize, indices), target };
    },
  };
}

/** Inputs with a target vector each (regression, auto-encoding). Not copied. */
export function regressionExamples(
  inputs: Float32Array,
  inputSize: number,
  targets: Float32Array,
  targetSize: number,
): Examples<Matrix> {
  const count = inputs.length / inputSize;
  if (!Number.isInteger(count) || targets.length !== count * targetSize)
    throw new ArgumentError('regressionExamples', `inputs count×${inputSize} and targets count×${targetSize}`, {
      inputs: inputs.length,
      targets: targets.length,
    });
  return {
    count,
    inputSize,
    batch: (indices) => ({
      input: gatherRows(inputs, inputSize, indices),
      target: gatherRows(targets, targetSize, indices),
    }),
  };
}

/** One optimisation step on one minibatch: forward (training), loss, backward, optimiser step. Returns the loss. */
export async function trainStep<T>(
  model: Layer,
  loss: Loss<T>,
  optimiser: Optimiser,
  input: Matrix,
  target: T,
  kernels: KernelBackend,
  extras?: ReadonlyMap<string, Matrix>,
): Promise<number> {
  const output = await model.forward(input, { kernels, training: true, ...(extras ? { extras } : {}) });
  const { loss: value, grad } = loss.evaluate(output, target);
  await model.backward(grad, { kernels });
  optimiser.step(model.parameters());
  return value;
}

export interface EpochOptions<T> {
  readonly model: Layer;
  readonly loss: Loss<T>;
  readonly optimiser: Optimiser;
  readonly examples: Examples<T>;
  /** The epoch's minibatches (`minibatches(...)`). */
  readonly batches: readonly ArrayLike<number>[];
  readonly kernels: KernelBackend;
  /** Called after every step with its index and loss. */
  readonly onStep?: (step: number, loss: number) => void;
  /** Checked before every step; an aborted signal stops the epoch with its reason. */
  readonly signal?: AbortSignal;
  /** Fraction of the epoch done, after every step. */
  readonly progress?: (fraction: number) => void;
}

/** Trains over one epoch's minibatches in order; returns the loss of every step (before its update). */
export async function trainEpoch<T>(options: EpochOptions<T>): Promise<Float64Array> {
  const { model, loss, optimiser, examples, batches, kernels } = options;
  const losses = new Float64Array(batches.length);
  for (let s = 0; s < batches.length; s++) {
    options.signal?.throwIfAborted();
    const { input, target } = examples.batch(batches[s]!);
    losses[s] = await trainStep(model, loss, optimiser, input, target, kernels);
    options.onStep?.(s, losses[s]!);
    options.progress?.((s + 1) / batches.length);
  }
  return losses;
}

/** Forward in evaluation mode over all examples in order, `batchSize` at a time; `visit` sees each batch's output. */
export async function predict<T>(
  model: Layer,
  examples: Examples<T>,
  kernels: KernelBackend,
  visit: (output: Matrix, target: T) => void,
  batchSize = 1000,
): Promise<void> {
  for (let start = 0; start < examples.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, examples.count - start) }, (_, i) => start + i);
    const { input, target } = examples.batch(indices);
    visit(await model.forward(input, { kernels, training: false }), target);
  }
}

/** Mean loss (default cross-entropy from logits) and accuracy of a classifier over all examples. */
export async function evaluateClassifier(
  model: Layer,
  examples: Examples<Labels>,
  kernels: KernelBackend,
  options: { loss?: Loss<Labels>; batchSize?: number } = {},
): Promise<{ loss: number; accuracy: number }> {
  const loss = options.loss ?? crossEntropyFromLogits;
  let lossSum = 0;
  let correct = 0;
  await predict(
    model,
    examples,
    kernels,
    (output, target) => {
      lossSum += loss.evaluate(output, target).loss * output.rows;
      correct += accuracy(output, target) * output.rows;
    },
    options.batchSize,
  );
  return { loss: lossSum / examples.count, accuracy: Math.round(correct) / examples.count };
}
