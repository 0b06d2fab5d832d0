import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RandomStream } from '@entroscope/core';
import { CIFAR10_RECORD_BYTES, Cifar10Dataset, pilLuma } from './cifar10';
import { imageDatasetSchema, openImageDataset } from './image-dataset';

/** Writes CIFAR-10 binary records (label, 1024 R, 1024 G, 1024 B) with pixel bytes from a seeded stream. */
function writeBatch(file: string, labels: number[], random: RandomStream): Uint8Array {
  const bytes = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, i) => {
    bytes[i * CIFAR10_RECORD_BYTES] = label;
    for (let j = 1; j < CIFAR10_RECORD_BYTES; j++) bytes[i * CIFAR10_RECORD_BYTES + j] = random.nextUint32() & 0xff;
  });
  fs.writeFileSync(file, bytes);
  return bytes;
}

describe('CIFAR-10 binary reader on files written by the test', () => {
  let dir: string;
  const written: Uint8Array[] = [];
  const trainLabels = [[3, 1], [0], [9, 9, 2], [5], [7, 4]];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-cifar-'));
    const random = RandomStream.fromSeed(5);
    trainLabels.forEach((labels, k) =>
      written.push(writeBatch(path.join(dir, `data_batch_${k + 1}.bin`), labels, random.split(`b${k}`))),
    );
    written.push(writeBatch(path.join(dir, 'test_batch.bin'), [6, 8, 0], random.split('test')));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads labels and RGB pixels across the five training files in order', () => {
    const set = Cifar10Dataset.open('train', dir, { colour: 'rgb' });
    expect([set.count, set.pixels]).toEqual([9, 3072]);
    expect(Array.from(set.readLabels(0, 9))).toEqual(trainLabels.flat());
    // Record 3 = first record of data_batch_3 (after 2 + 1 records), read across a file boundary with its neighbours.
    const images = set.readImages(2, 3);
    const record = written[2]!.subarray(0, CIFAR10_RECORD_BYTES);
    for (let j = 0; j < 3072; j++) expect(images[3072 + j]).toBe(Math.fround(record[1 + j]! / 255));
    set.close();
  });

  it("converts to grey with PIL's ITU-R 601-2 luma (within rounding of 0.299 R + 0.587 G + 0.114 B)", () => {
    expect([
      pilLuma(255, 255, 255),
      pilLuma(0, 0, 0),
      pilLuma(255, 0, 0),
      pilLuma(0, 255, 0),
      pilLuma(0, 0, 255),
    ]).toEqual([255, 0, 76, 150, 29]);
    const set = openImageDataset(imageDatasetSchema.parse({ source: 'cifar10', directory: dir }), 'test');
    expect([set.count, set.pixels]).toEqual([3, 1024]);
    const grey = set.readImages(0, 3);
    for (let i = 0; i < 3; i++) {
      const r = written[5]!.subarray(i * CIFAR10_RECORD_BYTES + 1);
      for (let j = 0; j < 1024; j++) {
        const luma = 0.299 * r[j]! + 0.587 * r[1024 + j]! + 0.114 * r[2048 + j]!;
        const byte = Math.round(grey[i * 1024 + j]! * 255);
        expect(Math.abs(byte - luma)).toBeLessThanOrEqual(0.51);
      }
    }
    expect(Array.from(set.readLabels(0, 3))).toEqual([6, 8, 0]);
    set.close();
  });

  it('fails clearly on a missing directory, a missing file, a truncated file and a bad label byte', () => {
    expect(() => Cifar10Dataset.open('train', path.join(dir, 'nope'))).toThrow(
      /nope: no such directory — CIFAR-10 cannot be downloaded from here/,
    );
    const partial = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-cifar-partial-'));
    fs.copyFileSync(path.join(dir, 'data_batch_1.bin'), path.join(partial, 'data_batch_1.bin'));
    expect(() => Cifar10Dataset.open('train', partial)).toThrow(/data_batch_2\.bin: no such file/);
    fs.writeFileSync(path.join(partial, 'test_batch.bin'), written[5]!.subarray(0, 2 * CIFAR10_RECORD_BYTES + 100));
    expect(() => Cifar10Dataset.open('test', partial)).toThrow(
      /test_batch\.bin: size 6246 bytes is not a whole number of 3073-byte records.*truncated/,
    );
    const bad = Uint8Array.from(written[5]!);
    bad[CIFAR10_RECORD_BYTES] = 42;
    fs.writeFileSync(path.join(partial, 'test_batch.bin'), bad);
    const set = Cifar10Dataset.open('test', partial);
    expect(() => set.readLabels(0, 3)).toThrow(/test_batch\.bin: record 1 has label byte 42, expected 0–9/);
    expect(() => set.readImages(2, 2)).toThrow(/inside \[0, 3\)/);
    set.close();
    fs.rmSync(partial, { recursive: true, force: true });
    expect(imageDatasetSchema.safeParse({ source: 'cifar10' }).success).toBe(false);
  });
});
