import { ArgumentError, z } from '@entroscope/core';

const width = z.number().int().min(1).max(100_000);

/**
 * The RG/DNN authors' width schedules (as `random-mlp` offers them) for the L pre-activation layers
 * z^ℓ = W_ℓ φ(z^{ℓ−1}) + b_ℓ, z^0 = W_0 x + b_0:
 *  - wide:      N_ℓ = hidden (default n_in) for ℓ ≤ L−3, then penultimate (400), then output (10) (the architecture
 *               of their experiments: every linear layer followed by φ);
 *  - constant:  N_ℓ = width for ℓ ≤ L−2 and `output` for the last layer (a classifier needs `output` classes);
 *  - shrinking: N_ℓ = n_in − ⌊(n_in − output)/L⌋·(ℓ+1) for ℓ ≤ L−2, then output (their unused variant);
 *  - custom:    the given list (length L, the last one = number of classes).
 * (A copy of random-mlp's schedule: systems cannot import each other.)
 */
export const trainedWidthsSchema = z
  .discriminatedUnion('schedule', [
    z
      .object({
        schedule: z.literal('wide'),
        hidden: width.optional().describe('Hidden width (default: the input dimension, 784 for MNIST)'),
        penultimate: width.default(400).describe('Width of layer L−2'),
        output: width.default(10).describe('Width of the output layer L−1 (= classes)'),
      })
      .strict(),
    z
      .object({
        schedule: z.literal('constant'),
        width: width.optional().describe('Hidden width (default: the input dimension)'),
        output: width.default(10).describe('Output width (= classes)'),
      })
      .strict(),
    z
      .object({ schedule: z.literal('shrinking'), output: width.default(10).describe('Output width (= classes)') })
      .strict(),
    z
      .object({
        schedule: z.literal('custom'),
        widths: z.array(width).min(1).describe('One width per layer; the last = classes'),
      })
      .strict(),
  ])
  .default({ schedule: 'wide', penultimate: 400, output: 10 })
  .describe("Width schedule: 'wide' (…, 784, 400, 10: the authors'), 'constant', 'shrinking', or 'custom'");
export type TrainedWidths = z.infer<typeof trainedWidthsSchema>;

export function trainedLayerWidths(schedule: TrainedWidths, depth: number, inputDimension: number): number[] {
  switch (schedule.schedule) {
    case 'wide': {
      if (depth < 3)
        throw new ArgumentError('widths (wide)', 'depth ≥ 3 (hidden layers, then penultimate, then output)', depth);
      return [
        ...new Array<number>(depth - 2).fill(schedule.hidden ?? inputDimension),
        schedule.penultimate,
        schedule.output,
      ];
    }
    case 'constant':
      return [...new Array<number>(depth - 1).fill(schedule.width ?? inputDimension), schedule.output];
    case 'shrinking': {
      const step = Math.floor((inputDimension - schedule.output) / depth);
      const widths = Array.from({ length: depth - 1 }, (_, l) => inputDimension - step * (l + 1));
      if (widths.some((w) => w < 1)) throw new ArgumentError('widths (shrinking)', 'positive widths', widths);
      return [...widths, schedule.output];
    }
    case 'custom':
      if (schedule.widths.length !== depth)
        throw new ArgumentError('widths.widths (custom)', `${depth} widths (one per layer)`, schedule.widths.length);
      return [...schedule.widths];
  }
}
