import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ArgumentError, type RandomStream } from '@entroscope/core';
import { checkerboardHalfSweepRows, checkerboardThresholds } from './ising-checkerboard-fast';

// Control words (Int32 indices): task number (−1 stops), helpers done, parity, accepted flips (sum).
const SEQ = 0;
const DONE = 1;
const PARITY = 2;
const ACCEPTED = 3;

const workerSource = `
const { workerData } = require('node:worker_threads');
const checkerboardHalfSweepRows = ${checkerboardHalfSweepRows.toString()};
const { control, spins, states, thresholds, L, bands, thread, threads } = workerData;
const s = new Int8Array(spins), st = new Uint32Array(states), ctl = new Int32Array(control), thr = new Float64Array(thresholds);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (seen < 0) break;
  const parity = ctl[${PARITY}];
  let accepted = 0;
  for (let b = thread; b < bands; b += threads) {
    accepted += checkerboardHalfSweepRows(s, L, Math.floor((L * b) / bands), Math.floor((L * (b + 1)) / bands), parity, thr, st, 4 * b);
  }
  Atomics.add(ctl, ${ACCEPTED}, accepted);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/**
 * Checkerboard Metropolis sweeps of one 2D Ising lattice (Int8 spins ±1, periodic, L even, field 0; the update
 * of `isingCheckerboardHalfSweepCpu`) on several threads. The rows are cut into `bands` fixed bands, each
 * with its own xoshiro128** stream split from `random` (`band:<b>`) that it draws from in row-major order;
 * a half-sweep updates every band of one parity (independent sites), then all threads meet before the other
 * parity. Results depend on (seed, L, K, bands), not on the thread count, so a study gives the same numbers
 * on any machine. With bands = 1 this is exactly `isingCheckerboardSweepFast` with the band's generator.
 * Synchronous: the calling thread takes its share of bands and waits (Atomics.wait) for the helpers.
 */
export class IsingCheckerboardEngine {
  /** The spins, on shared memory (set the initial state here; read between sweeps). */
  readonly spins: Int8Array;
  private readonly states: Uint32Array;
  private readonly control: Int32Array;
  private readonly thresholds: Float64Array;
  private readonly workers: Worker[] = [];
  private seq = 0;
  private K = NaN;

  constructor(
    readonly L: number,
    random: RandomStream,
    readonly bands = 2,
    readonly threads = Math.min(bands, availableParallelism()),
  ) {
    if (!Number.isInteger(L) || L < 2 || L % 2 !== 0) throw new ArgumentError('IsingCheckerboardEngine: L', 'an even integer ≥ 2', L);
    if (!Number.isInteger(bands) || bands < 1 || bands > L) throw new ArgumentError('IsingCheckerboardEngine: bands', `an integer in 1…L = ${L}`, bands);
    if (!Number.isInteger(threads) || threads < 1 || threads > bands) throw new ArgumentError('IsingCheckerboardEngine: threads', `an integer in 1…bands = ${bands}`, threads);
    this.spins = new Int8Array(new SharedArrayBuffer(L * L)).fill(1);
    this.states = new Uint32Array(new SharedArrayBuffer(16 * bands));
    for (let b = 0; b < bands; b++) {
      const stream = random.split(`band:${b}`);
      for (let w = 0; w < 4; w++) this.states[4 * b + w] = stream.nextUint32();
      if ((this.states[4 * b]! | this.states[4 * b + 1]! | this.states[4 * b + 2]! | this.states[4 * b + 3]!) === 0) this.states[4 * b] = 1;
    }
    this.control = new Int32Array(new SharedArrayBuffer(64));
    this.thresholds = new Float64Array(new SharedArrayBuffer(40));
    for (let t = 1; t < this.threads; t++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { control: this.control.buffer, spins: this.spins.buffer, states: this.states.buffer, thresholds: this.thresholds.buffer, L, bands, thread: t, threads: this.threads },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** `count` full sweeps (parity 0 then 1) at coupling K; returns the accepted flips. */
  sweep(K: number, count = 1): number {
    if (!Number.isFinite(K)) throw new ArgumentError('IsingCheckerboardEngine.sweep: K', 'a finite coupling', K);
    if (K !== this.K) {
      this.thresholds.set(checkerboardThresholds(K));
      this.K = K;
    }
    const helpers = this.workers.length;
    let accepted = 0;
    for (let c = 0; c < count; c++) {
      for (let parity = 0; parity < 2; parity++) {
        if (helpers > 0) {
          Atomics.store(this.control, DONE, 0);
          Atomics.store(this.control, ACCEPTED, 0);
          this.control[PARITY] = parity;
          this.seq = (this.seq + 1) & 0x3fffffff;
          Atomics.store(this.control, SEQ, this.seq);
          Atomics.notify(this.control, SEQ);
        }
        for (let b = 0; b < this.bands; b += this.threads) {
          accepted += checkerboardHalfSweepRows(this.spins, this.L, Math.floor((this.L * b) / this.bands), Math.floor((this.L * (b + 1)) / this.bands), parity, this.thresholds, this.states, 4 * b);
        }
        for (let done = Atomics.load(this.control, DONE); done < helpers; done = Atomics.load(this.control, DONE)) Atomics.wait(this.control, DONE, done);
        if (helpers > 0) accepted += Atomics.load(this.control, ACCEPTED);
      }
    }
    return accepted;
  }

  dispose(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
