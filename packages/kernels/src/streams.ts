import { Observable, concatMap, defer, from, last, map, scan, type OperatorFunction } from 'rxjs';
import { ArgumentError, type RandomStream } from '@entroscope/core';
import type { KernelBackend } from './backend';
import { binIndex, checkBins } from './cpu/histogram-cpu';
import type { FloatArray, HistogramRange } from './kernel-names';

/**
 * Large results stream to systems and probes as RxJS observables of batches, so nothing needs the whole array
 * in memory and consumers can start early. All observables here are cold and deterministic: every subscription
 * draws from `random.split(label)`, so two subscribers see the same numbers (multicast explicitly when the
 * work should run once).
 */
export interface Batch<T> {
  /** Index of the first element (or row) of this batch in the whole stream. */
  readonly offset: number;
  readonly data: T;
}

function checkBatching(where: string, total: number, batchSize: number): void {
  if (!Number.isSafeInteger(total) || total < 0)
    throw new ArgumentError(`${where}: total`, 'a non-negative integer', total);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new ArgumentError(`${where}: batchSize`, 'an integer ≥ 1', batchSize);
}

/** `total` seeded uniforms in [0, 1) (float32) in batches of `batchSize`; batch contents are independent of batchSize. */
export function uniformBatches(
  random: RandomStream,
  total: number,
  batchSize: number,
  label = 'uniform-batches',
): Observable<Batch<Float32Array>> {
  checkBatching('uniformBatches', total, batchSize);
  return randomBatches(random.split(label), total, batchSize, (stream, out) => stream.fillUniform(out));
}

/** `total` seeded N(mean, sd²) deviates (float32) in batches; the sequence equals one fillNormal of length total. */
export function normalBatches(
  random: RandomStream,
  total: number,
  batchSize: number,
  mean = 0,
  sd = 1,
  label = 'normal-batches',
): Observable<Batch<Float32Array>> {
  checkBatching('normalBatches', total, batchSize);
  return randomBatches(random.split(label), total, batchSize, (stream, out) => stream.fillNormal(out, mean, sd));
}

function randomBatches(
  child: RandomStream,
  total: number,
  batchSize: number,
  fill: (s: RandomStream, out: Float32Array) => void,
): Observable<Batch<Float32Array>> {
  return new Observable<Batch<Float32Array>>((subscriber) => {
    // A fresh copy of the child stream per subscription (split is a pure function of the key).
    const stream = child.split('subscription');
    for (let offset = 0; offset < total && !subscriber.closed; offset += batchSize) {
      const out = new Float32Array(Math.min(batchSize, total - offset));
      fill(stream, out);
      subscriber.next({ offset, data: out });
    }
    subscriber.complete();
  });
}

/**
 * Squared distances between the n rows of x and the m rows of y, as row blocks of `rowsPerBatch` query rows
 * (each block an rows×m matrix), computed by `backend` one block at a time.
 */
export function pairwiseSquaredDistanceBlocks(
  backend: KernelBackend,
  x: FloatArray,
  y: FloatArray,
  n: number,
  m: number,
  d: number,
  rowsPerBatch: number,
): Observable<Batch<Float32Array>> {
  checkBatching('pairwiseSquaredDistanceBlocks', n, rowsPerBatch);
  if (x.length !== n * d)
    throw new ArgumentError('pairwiseSquaredDistanceBlocks: x', `n·d = ${n * d} elements`, x.length);
  const starts = Array.from({ length: Math.ceil(n / rowsPerBatch) }, (_, b) => b * rowsPerBatch);
  return from(starts).pipe(
    concatMap((offset) =>
      defer(async () => {
        const rows = Math.min(rowsPerBatch, n - offset);
        return {
          offset,
          data: await backend.pairwiseSquaredDistances(x.subarray(offset * d, (offset + rows) * d), y, rows, m, d),
        };
      }),
    ),
  );
}

/**
 * Operator: counts of a stream of sample batches in `bins` equal-width bins over `range` (numpy.histogram
 * semantics, see histogram1dCpu). With `running`, emits the cumulative counts after every batch; otherwise
 * once, at completion (an empty stream gives zero counts).
 */
export function histogramOfBatches(
  bins: number,
  range: HistogramRange,
  options: { running?: boolean } = {},
): OperatorFunction<FloatArray | Batch<FloatArray>, Float64Array> {
  checkBins('histogramOfBatches', bins, range);
  return (source) => {
    // defer: a fresh count array per subscription.
    const counts$ = defer(() =>
      source.pipe(
        scan((counts, batch) => {
          const data = 'data' in batch ? batch.data : batch;
          for (let i = 0; i < data.length; i++) {
            const b = binIndex(data[i]!, bins, range.lo, range.hi);
            if (b >= 0) counts[b]++;
          }
          return counts;
        }, new Float64Array(bins)),
      ),
    );
    return options.running
      ? counts$.pipe(map((c) => c.slice()))
      : counts$.pipe(
          last(undefined, new Float64Array(bins)),
          map((c) => c.slice()),
        );
  };
}
