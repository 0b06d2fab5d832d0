import { z } from '@entroscope/core';

/** When the system emits its layer sweep: after chosen epochs, after chosen optimiser steps, or at log-spaced steps. */
export const observeAtSchema = z
  .discriminatedUnion('axis', [
    z
      .object({
        axis: z.literal('epoch'),
        at: z.array(z.number().int().min(0)).min(1).describe('Completed epochs (0 = at initialisation)'),
        final: z
          .boolean()
          .default(false)
          .describe(
            'Also observe after the last epoch of training (so a study changes its length with `epochs` alone)',
          ),
      })
      .strict(),
    z
      .object({
        axis: z.literal('step'),
        at: z.array(z.number().int().min(0)).min(1).describe('Completed optimiser steps (0 = at initialisation)'),
      })
      .strict(),
    z
      .object({
        axis: z.literal('log-step'),
        count: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .describe('Distinct steps, log-spaced from 1 to the last step of training (0 is added: the initialisation)'),
      })
      .strict(),
    z
      .object({
        axis: z.literal('log-epoch'),
        count: z
          .number()
          .int()
          .min(2)
          .max(100_000)
          .describe(
            'Log-spaced completed epochs as the information-plane code picks them: unique(⌊2^(i·log₂E/(count−1))⌋) − 1 for i = 0…count−1 (0 = initialisation; E = epochs)',
          ),
      })
      .strict(),
  ])
  .default({ axis: 'epoch', at: [1], final: false })
  .describe(
    'Training times of the layer sweeps: { axis: epoch, at: [1, 15] }, { axis: step, at: [...] }, { axis: log-step, count } or { axis: log-epoch, count }',
  );
export type ObserveAt = z.infer<typeof observeAtSchema>;

/** Sorted, distinct step counts at which to observe, plus the time axis to label them with. */
export function observationSteps(
  at: ObserveAt,
  stepsPerEpoch: number,
  epochs: number,
): { axis: 'epoch' | 'step'; steps: number[] } {
  const total = stepsPerEpoch * epochs;
  if (at.axis === 'epoch')
    return {
      axis: 'epoch',
      steps: [...new Set([...at.at, ...(at.final ? [epochs] : [])])]
        .sort((a, b) => a - b)
        .map((e) => e * stepsPerEpoch),
    };
  if (at.axis === 'log-epoch') {
    const epochIndexes = new Set<number>();
    // As np.logspace(0, log2(E), count, base=2, dtype=int): exponents i·step with the last set to log2(E) exactly.
    const top = Math.log2(epochs);
    const step = top / (at.count - 1);
    for (let i = 0; i < at.count; i++) epochIndexes.add(Math.floor(2 ** (i === at.count - 1 ? top : i * step)) - 1);
    return { axis: 'epoch', steps: [...epochIndexes].sort((a, b) => a - b).map((e) => e * stepsPerEpoch) };
  }
  if (at.axis === 'step') return { axis: 'step', steps: [...new Set(at.at)].sort((a, b) => a - b) };
  const steps = new Set<number>([0]);
  for (let i = 0; i < at.count; i++) steps.add(Math.round(Math.exp((Math.log(total) * i) / (at.count - 1))));
  return { axis: 'step', steps: [...steps].sort((a, b) => a - b) };
}
