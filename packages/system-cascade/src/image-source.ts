import { z, type RandomStream } from '@entroscope/core';
import { imageDatasetSchema, openImageDataset, uniformInputs } from '@entroscope/datasets';

/** Where the cascade's images come from: a labelled image data set, or white noise (pixels i.i.d. U(0, 1)). */
export const cascadeDataSchema = z.union([
  imageDatasetSchema,
  z
    .object({
      source: z
        .literal('white-noise')
        .describe("Pixels i.i.d. uniform on [0, 1] (the v3 paper's white-noise inputs), drawn from the run's stream"),
      pixels: z.number().int().min(2).max(100_000).default(784).describe('Pixels per image'),
      trainImages: z.number().int().min(1).max(1_000_000).default(60_000).describe('Images in the training split'),
      testImages: z.number().int().min(1).max(1_000_000).default(10_000).describe('Images in the test split'),
    })
    .strict(),
]);
export type CascadeDataParams = z.infer<typeof cascadeDataSchema>;

/** Random access to one split's images (pixels float32 row-major). */
export interface ImageSource {
  readonly description: string;
  readonly count: number;
  readonly pixels: number;
  /** Copies images `indices` into `out` (row r = image indices[r]). */
  gather(indices: ArrayLike<number>, out: Float32Array): void;
  close(): void;
}

/**
 * k×k average pooling of square images (side divisible by k): a cheaper stand-in used by the fast tests and the
 * reduced study grids (pool 1 = the paper's full-resolution images).
 */
/** k×k average pooling of `count` square images of `pixels` pixels (side divisible by k), into `out`. */
export function poolImages(
  raw: Float32Array,
  count: number,
  pixels: number,
  k: number,
  out: Float32Array,
  what = 'images',
): void {
  const side = Math.round(Math.sqrt(pixels));
  if (side * side !== pixels || side % k !== 0)
    throw new RangeError(
      `pool: ${k} needs square images whose side is divisible by ${k}; ${what} have ${pixels} pixels`,
    );
  const o = side / k;
  const scale = 1 / (k * k);
  for (let r = 0; r < count; r++) {
    const base = r * pixels;
    for (let i = 0; i < o; i++)
      for (let j = 0; j < o; j++) {
        let sum = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) sum += raw[base + (i * k + a) * side + j * k + b]!;
        out[r * o * o + i * o + j] = sum * scale;
      }
  }
}

/**
 * k×k average pooling of square images (side divisible by k): a cheaper stand-in used by the fast tests and the
 * reduced study grids (pool 1 = the paper's full-resolution images).
 */
export function poolImageSource(source: ImageSource, k: number): ImageSource {
  if (k === 1) return source;
  const side = Math.round(Math.sqrt(source.pixels));
  if (side * side !== source.pixels || side % k !== 0)
    throw new RangeError(
      `pool: ${k} needs square images whose side is divisible by ${k}; ${source.description} has ${source.pixels} pixels`,
    );
  const o = side / k;
  let raw = new Float32Array(0);
  return {
    description: `${source.description}, ${k}×${k} average-pooled to ${o}×${o}`,
    count: source.count,
    pixels: o * o,
    gather(indices, target) {
      if (raw.length < indices.length * source.pixels) raw = new Float32Array(indices.length * source.pixels);
      source.gather(indices, raw.subarray(0, indices.length * source.pixels));
      poolImages(raw, indices.length, source.pixels, k, target, source.description);
    },
    close: () => source.close(),
  };
}

/** Images per generated block of white noise (each block has its own split stream, so any image is reproducible alone). */
const NOISE_BLOCK = 256;

/** Opens one split. White noise: image i is row i mod 256 of block ⌊i/256⌋, drawn from random.split(split).split(block). */
export function openImageSource(data: CascadeDataParams, split: 'train' | 'test', random: RandomStream): ImageSource {
  if (data.source === 'white-noise') {
    const count = split === 'train' ? data.trainImages : data.testImages;
    const { pixels } = data;
    const stream = random.split(`white-noise:${split}`);
    const cache = new Map<number, Float32Array>();
    const block = (b: number) => {
      let values = cache.get(b);
      if (!values) {
        if (cache.size > 64) cache.clear();
        values = uniformInputs(Math.min(NOISE_BLOCK, count - b * NOISE_BLOCK), pixels, stream.split(b));
        cache.set(b, values);
      }
      return values;
    };
    return {
      description: `white noise U(0, 1), ${count} × ${pixels} (${split})`,
      count,
      pixels,
      gather(indices, out) {
        for (let r = 0; r < indices.length; r++) {
          const i = indices[r]!;
          const b = Math.floor(i / NOISE_BLOCK);
          const row = i - b * NOISE_BLOCK;
          out.set(block(b).subarray(row * pixels, (row + 1) * pixels), r * pixels);
        }
      },
      close: () => cache.clear(),
    };
  }
  const set = openImageDataset(data, split);
  return {
    description: set.description,
    count: set.count,
    pixels: set.pixels,
    gather(indices, out) {
      for (let r = 0; r < indices.length; r++)
        set.readImages(indices[r]!, 1, out.subarray(r * set.pixels, (r + 1) * set.pixels));
    },
    close: () => set.close(),
  };
}
