import { availableParallelism } from 'node:os';
import { ArgumentError, type RandomStream } from '@entroscope/core';
import { BandedWorkerPool, type BandHalfSweep } from './banded-worker-pool';
import { binaryDigitMasks, multispinHalfSweepRows } from './ising-multispin';

type MultispinBuffers = 'words' | 'digits';

// Runs in the helpers from its source text: self-contained (see BandedKernel). digits: the 32 binary-digit
// masks of e^(−4K), those of e^(−8K), then the two "always accept" masks.
function bindMultispinBand(
  shared: Readonly<Record<MultispinBuffers, SharedArrayBuffer>>,
  L: number,
  rows: typeof multispinHalfSweepRows,
): BandHalfSweep {
  const words = new Int32Array(shared.words);
  const digits = new Int32Array(shared.digits);
  const d1 = digits.subarray(0, 32);
  const d0 = digits.subarray(32, 64);
  return (rowStart, rowEnd, parity, states, offset) => {
    rows(words, L, rowStart, rowEnd, parity, d1, d0, digits[64]!, digits[65]!, states, offset);
    return 0;
  };
}

/**
 * 32 multispin-coded Ising replicas on an L×L torus (bit r of `words[i·L + j]` = replica r, see
 * isingMultispinSweep), updated by checkerboard Metropolis sweeps on several threads.
 *
 * The rows are cut into `bands` fixed bands, each with its own xoshiro128** stream split from `random`
 * (`band:<b>`); a half-sweep updates all bands of one parity (independent sites), then all threads meet
 * before the other parity. Results depend on (seed, L, K, bands) only — not on the thread count — so a
 * study gives the same numbers on any machine. Synchronous: the calling thread takes its share of bands and
 * waits (Atomics.wait) for the helpers (see BandedWorkerPool).
 */
export class IsingMultispinEngine {
  /** The spins, on shared memory (read them between sweeps). */
  readonly words: Int32Array;
  private readonly digits: Int32Array;
  private readonly pool: BandedWorkerPool<MultispinBuffers, typeof multispinHalfSweepRows>;
  private K = NaN;

  constructor(
    readonly L: number,
    random: RandomStream,
    readonly bands = 2,
    readonly threads = Math.min(bands, availableParallelism()),
  ) {
    this.pool = new BandedWorkerPool('IsingMultispinEngine', L, random, bands, threads, {
      bytes: { words: 4 * L * L, digits: 4 * 66 },
      rows: multispinHalfSweepRows,
      bind: bindMultispinBand,
    });
    this.words = new Int32Array(this.pool.shared.words);
    const init = random.split('initial');
    for (let x = 0; x < this.words.length; x++) this.words[x] = init.nextUint32() | 0;
    this.digits = new Int32Array(this.pool.shared.digits);
  }

  /** `count` full sweeps (parity 0 then 1) at coupling K ≥ 0: 32·L²·count spin-flip attempts. */
  sweep(K: number, count = 1): void {
    if (!(K >= 0) || !Number.isFinite(K))
      throw new ArgumentError('IsingMultispinEngine.sweep: K', 'a finite coupling K ≥ 0', K);
    if (K !== this.K) {
      this.digits.set(binaryDigitMasks(Math.exp(-4 * K)), 0);
      this.digits.set(binaryDigitMasks(Math.exp(-8 * K)), 32);
      this.digits[64] = Math.exp(-4 * K) >= 1 ? -1 : 0;
      this.digits[65] = Math.exp(-8 * K) >= 1 ? -1 : 0;
      this.K = K;
    }
    this.pool.sweep(count);
  }

  dispose(): void {
    this.pool.dispose();
  }
}
