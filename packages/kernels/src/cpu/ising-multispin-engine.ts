import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ArgumentError, type RandomStream } from '@entroscope/core';
import { binaryDigitMasks, multispinHalfSweepRows } from './ising-multispin';

// Control words in a small shared Int32Array.
const SEQ = 0; // task number (−1: stop)
const DONE = 1; // helpers finished with the current task
const PARITY = 2;

const workerSource = `
const { workerData } = require('node:worker_threads');
const multispinHalfSweepRows = ${multispinHalfSweepRows.toString()};
const { control, words, states, digits, L, bands, thread, threads } = workerData;
const w = new Int32Array(words), st = new Uint32Array(states), ctl = new Int32Array(control), dg = new Int32Array(digits);
const d1 = dg.subarray(0, 32), d0 = dg.subarray(32, 64);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (seen < 0) break;
  const parity = ctl[${PARITY}];
  for (let b = thread; b < bands; b += threads) {
    multispinHalfSweepRows(w, L, Math.floor((L * b) / bands), Math.floor((L * (b + 1)) / bands), parity, d1, d0, dg[64], dg[65], st, 4 * b);
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

/**
 * 32 multispin-coded Ising replicas on an L×L torus (bit r of `words[i·L + j]` = replica r, see
 * isingMultispinSweep), updated by checkerboard Metropolis sweeps on several threads.
 *
 * The rows are cut into `bands` fixed bands, each with its own xoshiro128** stream split from `random`
 * (`band:<b>`); a half-sweep updates all bands of one parity (independent sites), then all threads meet
 * before the other parity. Results depend on (seed, L, K, bands) only — not on the thread count — so a
 * study gives the same numbers on any machine. Synchronous: the calling thread takes its share of bands and
 * waits (Atomics.wait) for the helpers.
 */
export class IsingMultispinEngine {
  /** The spins, on shared memory (read them between sweeps). */
  readonly words: Int32Array;
  private readonly states: Uint32Array;
  private readonly control: Int32Array;
  private readonly digits: Int32Array;
  private readonly workers: Worker[] = [];
  private seq = 0;
  private K = NaN;

  constructor(
    readonly L: number,
    random: RandomStream,
    readonly bands = 2,
    readonly threads = Math.min(bands, availableParallelism()),
  ) {
    if (!Number.isInteger(L) || L < 2 || L % 2 !== 0) throw new ArgumentError('IsingMultispinEngine: L', 'an even integer ≥ 2', L);
    if (!Number.isInteger(bands) || bands < 1 || bands > L) throw new ArgumentError('IsingMultispinEngine: bands', `an integer in 1…L = ${L}`, bands);
    if (!Number.isInteger(threads) || threads < 1 || threads > bands) throw new ArgumentError('IsingMultispinEngine: threads', `an integer in 1…bands = ${bands}`, threads);
    this.words = new Int32Array(new SharedArrayBuffer(4 * L * L));
    this.states = new Uint32Array(new SharedArrayBuffer(16 * bands));
    for (let b = 0; b < bands; b++) {
      const stream = random.split(`band:${b}`);
      for (let w = 0; w < 4; w++) this.states[4 * b + w] = stream.nextUint32();
      if ((this.states[4 * b]! | this.states[4 * b + 1]! | this.states[4 * b + 2]! | this.states[4 * b + 3]!) === 0) this.states[4 * b] = 1;
    }
    const init = random.split('initial');
    for (let x = 0; x < this.words.length; x++) this.words[x] = init.nextUint32() | 0;
    this.control = new Int32Array(new SharedArrayBuffer(64));
    this.digits = new Int32Array(new SharedArrayBuffer(4 * 66));
    for (let t = 1; t < this.threads; t++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { control: this.control.buffer, words: this.words.buffer, states: this.states.buffer, digits: this.digits.buffer, L, bands, thread: t, threads: this.threads },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** `count` full sweeps (parity 0 then 1) at coupling K ≥ 0: 32·L²·count spin-flip attempts. */
  sweep(K: number, count = 1): void {
    if (!(K >= 0) || !Number.isFinite(K)) throw new ArgumentError('IsingMultispinEngine.sweep: K', 'a finite coupling K ≥ 0', K);
    if (K !== this.K) {
      this.digits.set(binaryDigitMasks(Math.exp(-4 * K)), 0);
      this.digits.set(binaryDigitMasks(Math.exp(-8 * K)), 32);
      this.digits[64] = Math.exp(-4 * K) >= 1 ? -1 : 0;
      this.digits[65] = Math.exp(-8 * K) >= 1 ? -1 : 0;
      this.K = K;
    }
    const d1 = this.digits.subarray(0, 32);
    const d0 = this.digits.subarray(32, 64);
    const helpers = this.workers.length;
    for (let c = 0; c < count; c++) {
      for (let parity = 0; parity < 2; parity++) {
        if (helpers > 0) {
          Atomics.store(this.control, DONE, 0);
          this.control[PARITY] = parity;
          this.seq = (this.seq + 1) & 0x3fffffff;
          Atomics.store(this.control, SEQ, this.seq);
          Atomics.notify(this.control, SEQ);
        }
        for (let b = 0; b < this.bands; b += this.threads) {
          multispinHalfSweepRows(this.words, this.L, Math.floor((this.L * b) / this.bands), Math.floor((this.L * (b + 1)) / this.bands), parity, d1, d0, this.digits[64]!, this.digits[65]!, this.states, 4 * b);
        }
        for (let done = Atomics.load(this.control, DONE); done < helpers; done = Atomics.load(this.control, DONE)) Atomics.wait(this.control, DONE, done);
      }
    }
  }

  dispose(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
