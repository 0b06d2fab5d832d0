import { ArgumentError, type RandomStream } from '@entroscope/core';

export interface MinibatchOptions {
  /** Shuffle the examples each call (needs `random`); false keeps the order 0…n−1 (`shuffle=False`). */
  readonly shuffle: boolean;
  /** The epoch's stream: the permutation is a Fisher–Yates shuffle drawn from it (RandomStream.shuffle). */
  readonly random?: RandomStream;
  /** Drop the last partial batch (PyTorch DataLoader `drop_last`); default false keeps it (size n mod batchSize). */
  readonly dropLast?: boolean;
}

/**
 * The minibatches of one epoch over n examples: consecutive slices of batchSize indices of the (shuffled or
 * identity) order, as PyTorch's DataLoader with a sequential or random sampler forms them. Deterministic in the
 * stream; pass `random.split('epoch:<e>')` per epoch for a fresh permutation each epoch.
 */
export function minibatches(n: number, batchSize: number, options: MinibatchOptions): Int32Array[] {
  if (!(Number.isInteger(n) && n >= 0)) throw new ArgumentError('minibatches: n', 'an integer ≥ 0', n);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new ArgumentError('minibatches: batchSize', 'an integer ≥ 1', batchSize);
  const order = Array.from({ length: n }, (_, i) => i);
  if (options.shuffle) {
    if (!options.random)
      throw new ArgumentError('minibatches: random', 'a RandomStream when shuffle is true', undefined);
    options.random.shuffle(order);
  }
  const all = Int32Array.from(order);
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (end - start < batchSize && options.dropLast) break;
    batches.push(all.subarray(start, end));
  }
  return batches;
}
