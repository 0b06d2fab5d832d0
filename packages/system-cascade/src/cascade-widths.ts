import { ArgumentError } from '@entroscope/core';

/** Width schedules of the cascade paper's `Network` class (Thurn, Jefferson, Erdmenger 2024; docs/cascade.md). */
export type CascadeWidthSchedule = 'wide' | 'shrinking';

/**
 * Layer sizes [N_0 = input, N_1, …] of the forward network for `depth`:
 *  - wide:      [N_in]×(depth − 1), then 400, then 10: `depth` linear layers, layers 1…depth−2 are N_in→N_in;
 *  - shrinking: ⌈linspace(N_in, 10, depth)⌉: `depth` sizes, i.e. depth − 1 linear layers. (The code's
 *    torch.linspace runs in float32; both agree here since no interior point is within float32 rounding of an
 *    integer for the inputs used, and the end points are exact.)
 * Every linear layer is followed by tanh; the final softmax belongs to no cascade block.
 */
export function cascadeWidths(
  schedule: CascadeWidthSchedule,
  depth: number,
  inputSize: number,
  options: { penultimate?: number; output?: number } = {},
): number[] {
  const output = options.output ?? 10;
  if (!Number.isInteger(depth)) throw new ArgumentError('cascadeWidths: depth', 'an integer', depth);
  if (schedule === 'wide') {
    if (depth < 3)
      throw new ArgumentError(
        'cascadeWidths: depth (wide)',
        'an integer ≥ 3 (hidden layers, then 400, then 10)',
        depth,
      );
    return [...new Array<number>(depth - 1).fill(inputSize), options.penultimate ?? 400, output];
  }
  if (depth < 2) throw new ArgumentError('cascadeWidths: depth (shrinking)', 'an integer ≥ 2', depth);
  const step = (output - inputSize) / (depth - 1);
  return Array.from({ length: depth }, (_, i) => (i === depth - 1 ? output : Math.ceil(inputSize + step * i)));
}
