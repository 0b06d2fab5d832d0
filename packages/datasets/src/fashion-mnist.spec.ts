import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetError } from './dataset-error';
import { FASHION_MNIST_DEBIAN_DIRECTORY, openFashionMnist } from './fashion-mnist';
import { openImageDataset, imageDatasetSchema } from './image-dataset';

const installed = fs.existsSync(path.join(FASHION_MNIST_DEBIAN_DIRECTORY, 'train-images-idx3-ubyte.gz'));
// Independent truths: Fashion-MNIST has exactly 6000 training and 1000 test images per class (Xiao et al. 2017),
// the first labels of each split (9, 0, 0, 3, 0 / 9, 2, 1, 1, 6 in the published files), and the usual
// normalisation constants mean 0.2860, std 0.3530 of the training pixels (4 digits, so ±1e-4).
(installed ? describe : describe.skip)(
  `Fashion-MNIST from Debian's dataset-fashion-mnist${installed ? '' : ' (SKIPPED: apt-get install -y dataset-fashion-mnist)'}`,
  () => {
    it('has 60 000 + 10 000 balanced images with the published first labels', () => {
      for (const [split, perClass, first] of [
        ['train', 6000, [9, 0, 0, 3, 0]],
        ['test', 1000, [9, 2, 1, 1, 6]],
      ] as const) {
        const set = openFashionMnist(split);
        expect([set.count, set.rows, set.columns]).toEqual([perClass * 10, 28, 28]);
        const labels = set.readLabels(0, set.count);
        const histogram = new Array(10).fill(0);
        for (const l of labels) histogram[l]++;
        expect(histogram).toEqual(new Array(10).fill(perClass));
        expect(Array.from(labels.subarray(0, 5))).toEqual(first);
        set.close();
      }
    });

    it('training pixels have mean 0.2860 and std 0.3530 (byte/255); byte/256 scales them by 255/256 exactly', () => {
      const set = openImageDataset(imageDatasetSchema.parse({ source: 'fashion-mnist' }), 'train');
      const set256 = openImageDataset(
        imageDatasetSchema.parse({ source: 'fashion-mnist', pixelScale: 'byte/256' }),
        'train',
      );
      let sum = 0;
      let squares = 0;
      for (let start = 0; start < set.count; start += 10000) {
        const x = set.readImages(start, 10000);
        for (let i = 0; i < x.length; i++) {
          sum += x[i]!;
          squares += x[i]! * x[i]!;
        }
      }
      const n = set.count * set.pixels;
      const mean = sum / n;
      expect(Math.abs(mean - 0.286)).toBeLessThan(1e-4);
      expect(Math.abs(Math.sqrt(squares / n - mean * mean) - 0.353)).toBeLessThan(1e-4);
      const a = set.readImages(123, 1);
      const b = set256.readImages(123, 1);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBe(Math.fround(Math.round(a[i]! * 255) / 256));
      set.close();
      set256.close();
    });
  },
);

describe('Fashion-MNIST when absent', () => {
  it('names the apt package to install', () => {
    const missing = path.join(os.tmpdir(), 'entroscope-no-fashion-mnist-here');
    expect(() => openFashionMnist('train', missing)).toThrow(DatasetError);
    expect(() => openFashionMnist('train', missing)).toThrow(/apt-get install -y dataset-fashion-mnist/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-fmnist-'));
    expect(() => openFashionMnist('test', empty)).toThrow(
      /t10k-images-idx3-ubyte: no such file — install Debian's data package \(apt-get install -y dataset-fashion-mnist/,
    );
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
