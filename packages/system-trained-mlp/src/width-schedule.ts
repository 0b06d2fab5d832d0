import { z } from '@entroscope/core';
import { layerWidths } from '@entroscope/mean-field';

const width = z.number().int().min(1).max(100_000);

/**
 * The RG/DNN authors' width schedules (as `random-mlp` offers them) for the L pre-activation layers
 * z^ℓ = W_ℓ φ(z^{ℓ−1}) + b_ℓ, z^0 = W_0 x + b_0:
 *  - wide:      N_ℓ = hidden (default n_in) for ℓ ≤ L−3, then penultimate (400), then output (10) (the architecture
 *               of their experiments: every linear layer followed by φ);
 *  - constant:  N_ℓ = width for ℓ ≤ L−2 and `output` for the last layer (a classifier needs `output` classes);
 *  - shrinking: N_ℓ = n_in − ⌊(n_in − output)/L⌋·(ℓ+1) for ℓ ≤ L−2, then output (their unused variant);
 *  - custom:    the given list (length L, the last one = number of classes).
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

/** `random-mlp`'s schedule (`layerWidths` in @entroscope/mean-field), except that `constant` ends in `output` classes. */
export function trainedLayerWidths(schedule: TrainedWidths, depth: number, inputDimension: number): number[] {
  if (schedule.schedule === 'constant')
    return [
      ...layerWidths({ schedule: 'constant', width: schedule.width }, depth - 1, inputDimension),
      schedule.output,
    ];
  return layerWidths(schedule, depth, inputDimension);
}
