import { availableParallelism } from 'node:os';
import { ArgumentError, type RandomStream } from '@entroscope/core';
import { BandedWorkerPool, type BandHalfSweep } from './banded-worker-pool';
import { checkerboardHalfSweepRows, checkerboardThresholds } from './ising-checkerboard-fast';

type CheckerboardBuffers = 'spins' | 'thresholds';

// Runs in the helpers from its source text: self-contained (see BandedKernel).
function bindCheckerboardBand(
  shared: Readonly<Record<CheckerboardBuffers, SharedArrayBuffer>>,
  L: number,
  rows: typeof checkerboardHalfSweepRows,
): BandHalfSweep {
  const spins = new Int8Array(shared.spins);
  const thresholds = new Float64Array(shared.thresholds);
  return (rowStart, rowEnd, parity, states, offset) =>
    rows(spins, L, rowStart, rowEnd, parity, thresholds, states, offset);
}

/**
 * Checkerboard Metropolis sweeps of one 2D Ising lattice (Int8 spins ±1, periodic, L even, field 0; the update
 * of `isingCheckerboardHalfSweepCpu`) on several threads. The rows are cut into `bands` fixed bands, each
 * with its own xoshiro128** stream split from `random` (`band:<b>`) that it draws from in row-major order;
 * a half-sweep updates every band of one parity (independent sites), then all threads meet before the other
 * parity. Results depend on (seed, L, K, bands), not on the thread count, so a study gives the same numbers
 * on any machine. With bands = 1 this is exactly `isingCheckerboardSweepFast` with the band's generator.
 * Synchronous: the calling thread takes its share of bands and waits (Atomics.wait) for the helpers
 * (see BandedWorkerPool).
 */
export class IsingCheckerboardEngine {
  /** The spins, on shared memory (set the initial state here; read between sweeps). */
  readonly spins: Int8Array;
  private readonly thresholds: Float64Array;
  private readonly pool: BandedWorkerPool<CheckerboardBuffers, typeof checkerboardHalfSweepRows>;
  private K = NaN;

  constructor(
    readonly L: number,
    random: RandomStream,
    readonly bands = 2,
    readonly threads = Math.min(bands, availableParallelism()),
  ) {
    this.pool = new BandedWorkerPool('IsingCheckerboardEngine', L, random, bands, threads, {
      bytes: { spins: L * L, thresholds: 40 },
      rows: checkerboardHalfSweepRows,
      bind: bindCheckerboardBand,
    });
    this.spins = new Int8Array(this.pool.shared.spins).fill(1);
    this.thresholds = new Float64Array(this.pool.shared.thresholds);
  }

  /** `count` full sweeps (parity 0 then 1) at coupling K; returns the accepted flips. */
  sweep(K: number, count = 1): number {
    if (!Number.isFinite(K)) throw new ArgumentError('IsingCheckerboardEngine.sweep: K', 'a finite coupling', K);
    if (K !== this.K) {
      this.thresholds.set(checkerboardThresholds(K));
      this.K = K;
    }
    return this.pool.sweep(count);
  }

  dispose(): void {
    this.pool.dispose();
  }
}
