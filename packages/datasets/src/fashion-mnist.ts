import * as fs from 'node:fs';
import { DatasetError } from './dataset-error';
import { MnistDataset, type MnistSplit } from './mnist';

/** Where Debian's `dataset-fashion-mnist` package installs the four gzip IDX files. */
export const FASHION_MNIST_DEBIAN_DIRECTORY = '/usr/share/datasets/fashion-mnist';
const installHint = `install Debian's data package (apt-get install -y dataset-fashion-mnist, files in ${FASHION_MNIST_DEBIAN_DIRECTORY}) or give the directory that holds the Fashion-MNIST IDX files`;

/** Fashion-MNIST class names, label order (Xiao, Rasul, Vollgraf 2017). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747): 60 000 training and 10 000 test 28×28 greyscale
 * images of clothing in 10 balanced classes, in MNIST's IDX format and file names. Read from Debian's
 * `dataset-fashion-mnist` package (gzip IDX files) or any directory with the same four files (plain or `.gz`).
 * A missing directory or file fails with a DatasetError that names the apt package to install.
 */
export function openFashionMnist(split: MnistSplit, directory: string = FASHION_MNIST_DEBIAN_DIRECTORY): MnistDataset {
  if (!fs.existsSync(directory))
    throw new DatasetError(directory, 'no such directory (Fashion-MNIST is not installed)', installHint);
  return MnistDataset.open(split, directory, installHint);
}
