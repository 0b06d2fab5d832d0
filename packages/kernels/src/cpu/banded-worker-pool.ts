import { Worker } from 'node:worker_threads';
import { ArgumentError, type RandomStream } from '@entroscope/core';

// Control words (Int32 indices): task number (−1 stops), helpers done, parity, accepted flips (sum).
const SEQ = 0;
const DONE = 1;
const PARITY = 2;
const ACCEPTED = 3;

/**
 * One band's half-sweep: updates the sites of one checkerboard parity in rows [rowStart, rowEnd), drawing from
 * the xoshiro128** state `states[offset … offset + 3]` (advanced in place); returns the accepted flips (0 when
 * the kernel does not count them).
 */
export type BandHalfSweep = (
  rowStart: number,
  rowEnd: number,
  parity: number,
  states: Uint32Array,
  offset: number,
) => number;

/**
 * What a banded engine runs on the pool. `rows` and `bind` run on the calling thread and, from their source text
 * (`Function.prototype.toString`), in every helper: both must be self-contained (no imports, no free references;
 * `bind` reaches the kernel only through its `rows` argument).
 */
export interface BandedKernel<Name extends string, Rows extends (...args: never[]) => unknown> {
  /** Bytes of each shared buffer the kernel needs besides the band states (e.g. spins, thresholds). */
  readonly bytes: Readonly<Record<Name, number>>;
  /** The row kernel (e.g. `checkerboardHalfSweepRows`). */
  readonly rows: Rows;
  /** Views the shared buffers and returns the half-sweep of one band. */
  readonly bind: (shared: Readonly<Record<Name, SharedArrayBuffer>>, L: number, rows: Rows) => BandHalfSweep;
}

/**
 * Threads for banded checkerboard sweeps of one L×L periodic lattice (L even). The rows are cut into `bands`
 * fixed bands [⌊L·b/bands⌋, ⌊L·(b+1)/bands⌋), each with its own xoshiro128** state split from `random`
 * (`band:<b>`, all-zero states replaced by (1, 0, 0, 0)). Band b is always run by thread b mod `threads`
 * (thread 0 is the calling thread, the others are worker threads on shared memory); a half-sweep runs every
 * band at one parity, then all threads meet (Atomics.wait/notify) before the other parity. Bands of one parity
 * touch disjoint sites and separate generators, so results depend on (seed, L, kernel, bands) and not on
 * `threads`. Synchronous: `sweep` returns when every band has finished.
 */
export class BandedWorkerPool<Name extends string, Rows extends (...args: never[]) => unknown> {
  /** The kernel's shared buffers, sized by `kernel.bytes` (engines keep typed views on them). */
  readonly shared: Readonly<Record<Name, SharedArrayBuffer>>;
  private readonly states: Uint32Array;
  private readonly control: Int32Array;
  private readonly halfSweep: BandHalfSweep;
  private readonly workers: Worker[] = [];
  private seq = 0;

  /** `owner` names the engine in argument errors (e.g. `IsingCheckerboardEngine`). */
  constructor(
    owner: string,
    readonly L: number,
    random: RandomStream,
    readonly bands: number,
    readonly threads: number,
    kernel: BandedKernel<Name, Rows>,
  ) {
    if (!Number.isInteger(L) || L < 2 || L % 2 !== 0) throw new ArgumentError(`${owner}: L`, 'an even integer ≥ 2', L);
    if (!Number.isInteger(bands) || bands < 1 || bands > L)
      throw new ArgumentError(`${owner}: bands`, `an integer in 1…L = ${L}`, bands);
    if (!Number.isInteger(threads) || threads < 1 || threads > bands)
      throw new ArgumentError(`${owner}: threads`, `an integer in 1…bands = ${bands}`, threads);
    const shared = {} as Record<Name, SharedArrayBuffer>;
    for (const name of Object.keys(kernel.bytes) as Name[]) shared[name] = new SharedArrayBuffer(kernel.bytes[name]);
    this.shared = shared;
    this.states = new Uint32Array(new SharedArrayBuffer(16 * bands));
    for (let b = 0; b < bands; b++) {
      const stream = random.split(`band:${b}`);
      for (let w = 0; w < 4; w++) this.states[4 * b + w] = stream.nextUint32();
      if ((this.states[4 * b]! | this.states[4 * b + 1]! | this.states[4 * b + 2]! | this.states[4 * b + 3]!) === 0)
        this.states[4 * b] = 1;
    }
    this.control = new Int32Array(new SharedArrayBuffer(64));
    this.halfSweep = kernel.bind(shared, L, kernel.rows);
    const source = helperSource(kernel.rows, kernel.bind);
    for (let t = 1; t < threads; t++) {
      const worker = new Worker(source, {
        eval: true,
        workerData: { control: this.control.buffer, states: this.states.buffer, shared, L, bands, thread: t, threads },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** `count` full sweeps (parity 0 then 1, every band of a parity before the next); returns the summed half-sweep results. */
  sweep(count: number): number {
    const { L, bands, threads, control } = this;
    const helpers = this.workers.length;
    let accepted = 0;
    for (let c = 0; c < count; c++) {
      for (let parity = 0; parity < 2; parity++) {
        if (helpers > 0) {
          Atomics.store(control, DONE, 0);
          Atomics.store(control, ACCEPTED, 0);
          control[PARITY] = parity;
          this.seq = (this.seq + 1) & 0x3fffffff;
          Atomics.store(control, SEQ, this.seq);
          Atomics.notify(control, SEQ);
        }
        for (let b = 0; b < bands; b += threads) {
          accepted += this.halfSweep(
            Math.floor((L * b) / bands),
            Math.floor((L * (b + 1)) / bands),
            parity,
            this.states,
            4 * b,
          );
        }
        for (let done = Atomics.load(control, DONE); done < helpers; done = Atomics.load(control, DONE))
          Atomics.wait(control, DONE, done);
        if (helpers > 0) accepted += Atomics.load(control, ACCEPTED);
      }
    }
    return accepted;
  }

  /** Stops and terminates the helpers; the shared buffers stay readable. */
  dispose(): void {
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** A helper thread's program: wait for a task, run its bands (b ≡ thread mod threads) at the task's parity, report. */
function helperSource(rows: (...args: never[]) => unknown, bind: (...args: never[]) => unknown): string {
  return `
const { workerData } = require('node:worker_threads');
const { control, states, shared, L, bands, thread, threads } = workerData;
const halfSweep = (${bind.toString()})(shared, L, ${rows.toString()});
const ctl = new Int32Array(control), st = new Uint32Array(states);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (seen < 0) break;
  const parity = ctl[${PARITY}];
  let accepted = 0;
  for (let b = thread; b < bands; b += threads) {
    accepted += halfSweep(Math.floor((L * b) / bands), Math.floor((L * (b + 1)) / bands), parity, st, 4 * b);
  }
  Atomics.add(ctl, ${ACCEPTED}, accepted);
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;
}
