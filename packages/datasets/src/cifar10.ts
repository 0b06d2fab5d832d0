import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError } from '@entroscope/core';
import { DatasetError } from './dataset-error';
import type { PixelDivisor } from './mnist';

/** Bytes of one record of CIFAR-10's binary version: 1 label byte, then 1024 red, 1024 green, 1024 blue bytes. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 1024;
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
export const CIFAR10_TEST_FILES = ['test_batch.bin'] as const;

/**
 * 'pil-luma': ITU-R 601-2 luma as PIL's convert('L') computes it in fixed point, L = (19595 R + 38470 G + 7471 B
 * + 2^15) >> 16 (a byte), which torchvision's `Grayscale` applies to the PIL images its CIFAR10 dataset yields —
 * the cascade paper's conversion; 1024 pixels per image. 'rgb': the 3072 bytes as stored (channel-major).
 */
export type Cifar10Colour = 'pil-luma' | 'rgb';

const howToGet =
  'CIFAR-10 cannot be downloaded from here: get the binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), extract it and give its cifar-10-batches-bin directory';

/** PIL's fixed-point ITU-R 601-2 luma of one RGB byte triple. */
export function pilLuma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * CIFAR-10 (Krizhevsky 2009) from its standard binary files in a user-given directory: train = data_batch_1…5.bin
 * (50 000 images), test = test_batch.bin (10 000). Records are read lazily with positioned reads (a batch at a
 * time). Every file is checked on open: missing (names the file and how to obtain the data), or a size that is
 * not a whole number of 3073-byte records (truncated; names the file, its size and the expected multiple). Label
 * bytes above 9 fail on read, naming file and record.
 */
export class Cifar10Dataset {
  readonly classes = CIFAR10_CLASSES;
  private constructor(
    readonly split: 'train' | 'test',
    readonly colour: Cifar10Colour,
    private readonly files: readonly { path: string; fd: number; records: number; first: number }[],
    readonly count: number,
  ) {}

  /** Opens `split` from `directory` (the extracted cifar-10-batches-bin); `files` overrides the file names. */
  static open(
    split: 'train' | 'test',
    directory: string,
    options: { colour?: Cifar10Colour; files?: readonly string[] } = {},
  ): Cifar10Dataset {
    if (split !== 'train' && split !== 'test')
      throw new ArgumentError('Cifar10Dataset.open: split', "'train' or 'test'", split);
    if (!fs.existsSync(directory)) throw new DatasetError(directory, 'no such directory', howToGet);
    const names = options.files ?? (split === 'train' ? CIFAR10_TRAIN_FILES : CIFAR10_TEST_FILES);
    const opened: { path: string; fd: number; records: number; first: number }[] = [];
    let count = 0;
    try {
      for (const name of names) {
        const file = path.join(directory, name);
        if (!fs.existsSync(file)) throw new DatasetError(file, 'no such file', howToGet);
        const fd = fs.openSync(file, 'r');
        const size = fs.fstatSync(fd).size;
        opened.push({ path: file, fd, records: Math.floor(size / CIFAR10_RECORD_BYTES), first: count });
        if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
          throw new DatasetError(
            file,
            `size ${size} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (1 label + 3072 pixel bytes; a full batch file is 10000 records = ${10000 * CIFAR10_RECORD_BYTES} bytes)`,
            size === 0
              ? 'the file is empty: extract the archive again'
              : 'the file is truncated: extract the archive again',
            { size, recordBytes: CIFAR10_RECORD_BYTES },
          );
        }
        count += size / CIFAR10_RECORD_BYTES;
      }
    } catch (error) {
      for (const f of opened) fs.closeSync(f.fd);
      throw error;
    }
    return new Cifar10Dataset(split, options.colour ?? 'pil-luma', opened, count);
  }

  /** Pixels per image: 1024 (grey) or 3072 (RGB, channel-major). */
  get pixels(): number {
    return this.colour === 'rgb' ? 3072 : 1024;
  }

  /** Raw records [start, start + count) (label byte + 3072 pixel bytes each), across file boundaries. */
  private readRecords(start: number, count: number): Uint8Array {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.count) {
      throw new ArgumentError(`Cifar10Dataset (${this.split})`, `a range inside [0, ${this.count})`, { start, count });
    }
    const out = Buffer.alloc(count * CIFAR10_RECORD_BYTES);
    let done = 0;
    for (const f of this.files) {
      if (done === count) break;
      const at = start + done;
      if (at >= f.first + f.records) continue;
      const n = Math.min(count - done, f.first + f.records - at);
      const length = n * CIFAR10_RECORD_BYTES;
      const offset = (at - f.first) * CIFAR10_RECORD_BYTES;
      let read = 0;
      while (read < length) {
        const r = fs.readSync(f.fd, out, done * CIFAR10_RECORD_BYTES + read, length - read, offset + read);
        if (r === 0)
          throw new DatasetError(
            f.path,
            `unexpected end of file at byte ${offset + read}`,
            'the file changed while reading: extract the archive again',
          );
        read += r;
      }
      done += n;
    }
    const records = new Uint8Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < count; i++) {
      const label = records[i * CIFAR10_RECORD_BYTES]!;
      if (label > 9) {
        const index = start + i;
        const f = this.files.find((g) => index < g.first + g.records)!;
        throw new DatasetError(
          f.path,
          `record ${index - f.first} has label byte ${label}, expected 0–9`,
          'not a CIFAR-10 binary file (CIFAR-100 has 2 label bytes per record)',
        );
      }
    }
    return records;
  }

  /** Images [start, start + count) as float32 byte/divisor, [count, pixels] row-major; into `out` when given. */
  readImages(start: number, count: number, out?: Float32Array, divisor: PixelDivisor = 255): Float32Array {
    const records = this.readRecords(start, count);
    const P = this.pixels;
    const target = out ?? new Float32Array(count * P);
    if (target.length !== count * P)
      throw new ArgumentError(
        'Cifar10Dataset.readImages: out',
        `a Float32Array of ${count * P} elements`,
        `${target.length} elements`,
      );
    for (let i = 0; i < count; i++) {
      const base = i * CIFAR10_RECORD_BYTES + 1;
      if (this.colour === 'rgb') for (let j = 0; j < 3072; j++) target[i * P + j] = records[base + j]! / divisor;
      else
        for (let j = 0; j < 1024; j++)
          target[i * P + j] =
            pilLuma(records[base + j]!, records[base + 1024 + j]!, records[base + 2048 + j]!) / divisor;
    }
    return target;
  }

  readLabels(start: number, count: number): Uint8Array {
    const records = this.readRecords(start, count);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) labels[i] = records[i * CIFAR10_RECORD_BYTES]!;
    return labels;
  }

  close(): void {
    for (const f of this.files) fs.closeSync(f.fd);
  }
}
