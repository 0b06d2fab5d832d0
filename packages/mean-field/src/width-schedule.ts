import { ArgumentError } from '@entroscope/core';

/**
 * Width schedules of the RG/DNN paper's code (docs/science/random-mlp-mean-field.md §1), as the widths N_0…N_{L−1} of the
 * L pre-activation layers z^ℓ = W_ℓ φ(z^{ℓ−1}) + b_ℓ (z^0 = W_0 x + b_0) for input dimension n_in:
 *  - constant:  N_ℓ = width for every layer;
 *  - wide:      N_ℓ = hidden (default n_in) for ℓ ≤ L−3, then penultimate (400), then output (10); L ≥ 3
 *               (L = 30: 28 layers of 784, then 400, then 10 — "every linear layer followed by tanh");
 *  - shrinking: N_ℓ = n_in − ⌊(n_in − output)/L⌋·(ℓ+1) for ℓ ≤ L−2, then output (the authors' unused variant);
 *  - custom:    the given list (length L).
 */
export type WidthSchedule =
  | { schedule: 'constant'; width?: number | undefined }
  | { schedule: 'wide'; hidden?: number | undefined; penultimate: number; output: number }
  | { schedule: 'shrinking'; output: number }
  | { schedule: 'custom'; widths: number[] };

export function layerWidths(schedule: WidthSchedule, depth: number, inputDimension: number): number[] {
  switch (schedule.schedule) {
    case 'constant':
      return new Array<number>(depth).fill(schedule.width ?? inputDimension);
    case 'wide': {
      if (depth < 3)
        throw new ArgumentError('widths (wide)', 'depth ≥ 3 (hidden layers, then penultimate, then output)', depth);
      const hidden = schedule.hidden ?? inputDimension;
      return [...new Array<number>(depth - 2).fill(hidden), schedule.penultimate, schedule.output];
    }
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
