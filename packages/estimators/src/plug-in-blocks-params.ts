import { z } from '@entroscope/core';

/** Parameters of block-pattern plug-in estimators of per-site rates (entropy, relative entropy). */
export const plugInBlocksSchema = z
  .object({
    use: z.literal('plug-in-blocks'),
    blockLength: z.number().int().min(1).max(24).default(4).describe('Consecutive symbols per block pattern (ℓ)'),
    rate: z
      .enum(['conditional', 'block'])
      .default('conditional')
      .describe(
        "'conditional': X(ℓ) − X(ℓ−1), exact for Markov chains of order < ℓ; 'block': X(ℓ)/ℓ (biased by boundary terms)",
      ),
    correction: z
      .enum(['none', 'miller-madow'])
      .default('miller-madow')
      .describe('Bias correction of the plug-in estimate'),
    bootstrap: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe('Bootstrap resamples of rows for the standard error (0: none)'),
  })
  .strict();
export type PlugInBlocksParams = z.infer<typeof plugInBlocksSchema>;

/** Kinds of discrete sample data block estimators accept. */
export const DISCRETE_KINDS = ['spins', 'discrete'] as const;
