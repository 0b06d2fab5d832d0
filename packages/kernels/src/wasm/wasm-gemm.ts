import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { MatmulOptions } from '../kernel-names';
import { checkMatmul, matmulCpu } from '../cpu/matmul-cpu';
import { erf } from '../cpu/activation-cpu';
import { gemmModuleBytes, NR, tanhConstantTable } from './wasm-gemm-module';

/** Register-tile rows of the micro-kernel (6×8 measured best with 4×8 and 8×8 on the 2-core EPYC, docs/kernels.md). */
const MR = 4;
/** Depth steps per iteration of the micro-kernel's loop (each after the first in its own block: gemmModuleBytes). */
const UNROLL = 2;
/** Depth of a packed block (B panel KC×NR×4 B = 8 KiB stays in L1) and rows per A block (MC×KC×4 B = 96 KiB in L2). */
const KC = 256;
const MC = 96;
const MAX_PAGES = 32768; // 2 GiB of shared memory at most.
const HEADER = 256; // bytes of control words at the start of memory
const TANH_TABLE = HEADER; // byte offset of the SIMD tanh's constants (tanhConstantTable), written once
const DATA = 1024; // operands and panels start here

// Control words (Int32 indices into the header).
const SEQ = 0; // task sequence number, bumped by the main thread
const DONE = 1; // workers finished with the current task (counter)
const FAILED = 2; // set by a worker whose task threw
const READY = 3; // workers that finished starting up (counter)
const PACKED = 4; // threads that finished packing their share of B (barrier counter; threadWork uses index 4)
const PARAMS = 8; // task parameters
/** Atomics.load polls before a thread sleeps in Atomics.wait (a few hundred µs at most). */
const SPIN = 20000;

// The WebAssembly global of Node, typed locally (lib ES2023 without DOM does not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const activationCodes = { identity: 0, tanh: 1, relu: 2, sigmoid: 3, erf: 4 } as const;

/**
 * Per-thread body, run by the calling thread (thread 0) and every worker on its share: pack its A panels
 * and its share of the B panels from the raw operands copied into shared memory, meet the other threads (all
 * of B must be packed), run the micro-kernel over its A blocks, then add the bias and apply the activation on
 * its rows of C. Workers receive this function as source text, so it only uses its arguments.
 */
function threadWork(
  gemm: (...args: number[]) => void,
  epilogue: (...args: number[]) => void,
  pack: (...args: number[]) => void,
  memory: WasmMemory,
  header: Int32Array,
  thread: number,
  threads: number,
  erfFn: (x: number) => number,
  packAFn: typeof packA,
  packBFn: typeof packB,
): void {
  const p = header.subarray(8);
  const [
    apOff,
    bpOff,
    cOff,
    mPanels,
    nPanels,
    kPad,
    ldc,
    biasOff,
    code,
    n,
    kc,
    mc,
    mr,
    nr,
    aRaw,
    bRaw,
    m,
    k,
    transA,
    transB,
    hasBias,
    table,
  ] = Array.from(p.subarray(0, 22));
  const f = new Float32Array(memory.buffer);
  const mcPanels = mc! / mr!;
  // This thread's row panels (an even split of panels, not of MC blocks: 128 rows would otherwise split 96/32).
  const first = Math.floor((mPanels! * thread) / threads);
  const last = Math.floor((mPanels! * (thread + 1)) / threads);
  packAFn(f, apOff! / 4, aRaw! / 4, m!, k!, kPad!, mPanels!, transA === 1, mr!, kc!, first, last, pack);
  packBFn(
    f,
    bpOff! / 4,
    bRaw! / 4,
    k!,
    n!,
    kPad!,
    nPanels!,
    transB === 1,
    nr!,
    kc!,
    Math.floor((nPanels! * thread) / threads),
    Math.floor((nPanels! * (thread + 1)) / threads),
    pack,
  );
  // Barrier: every thread has packed its share of B (control word 4 counts them).
  Atomics.add(header, 4, 1);
  Atomics.notify(header, 4);
  // Spin briefly first: a futex sleep and wake-up costs tens of µs here, the other thread is usually close.
  for (let spin = 0, packed = Atomics.load(header, 4); packed < threads; packed = Atomics.load(header, 4), spin++) {
    if (Atomics.load(header, 2) !== 0) throw new Error('WasmGemm: another thread failed while packing');
    if (spin > 20000) Atomics.wait(header, 4, packed, 1000);
  }
  for (let ip0 = first; ip0 < last; ip0 += mcPanels) {
    const panels = Math.min(mcPanels, last - ip0);
    for (let pc = 0; pc < kPad!; pc += kc!) {
      const depth = Math.min(kc!, kPad! - pc);
      // A block (pc): panels of depth×MR floats, contiguous; B block (pc): panels of depth×NR floats.
      gemm(
        apOff! + (pc * mPanels! * mr! + ip0 * depth * mr!) * 4,
        bpOff! + pc * nPanels! * nr! * 4,
        cOff! + ip0 * mr! * ldc!,
        panels,
        nPanels!,
        depth,
        ldc!,
        pc > 0 ? 1 : 0,
        depth * mr! * 4,
        depth * nr! * 4,
      );
    }
    if (code! <= 2 && (hasBias === 1 || code !== 0)) {
      // Identity, tanh and ReLU in WebAssembly SIMD (tanh: float32 Cephes-style, within 2ε·|tanh|); the bias
      // region holds zeros when there is no bias and is padded to whole panels.
      epilogue(
        cOff! + ip0 * mr! * ldc!,
        ldc!,
        Math.min((ip0 + panels) * mr!, m!) - ip0 * mr!,
        biasOff!,
        (nPanels! * nr!) / 4,
        code!,
        table!,
      );
    } else if (code !== 0) {
      const bias = f.subarray(biasOff! / 4, biasOff! / 4 + n!);
      for (let i = ip0 * mr!; i < Math.min((ip0 + panels) * mr!, m!); i++) {
        const row = (cOff! + i * ldc!) / 4;
        // One loop per activation (a per-element switch costs more than the activation). σ(x) = 1/(1 + e^{−x})
        // is within 1e-9 relative of the float64 function, below float32 rounding.
        if (code === 3) for (let j = 0; j < n!; j++) f[row + j] = 1 / (1 + Math.exp(-(f[row + j]! + bias[j]!)));
        else for (let j = 0; j < n!; j++) f[row + j] = erfFn(f[row + j]! + bias[j]!);
      }
    }
  }
}

const workerSource = `
const { workerData } = require('node:worker_threads');
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const erf = ${erf.toString()};
const packA = ${packA.toString()};
const packB = ${packB.toString()};
const threadWork = ${threadWork.toString()};
const { module, memory, thread, threads } = workerData;
const { gemm, epilogue, pack } = new WebAssembly.Instance(module, { env: { memory } }).exports;
let seen = 0;
{
  const header = new Int32Array(memory.buffer, 0, ${HEADER / 4});
  Atomics.add(header, ${READY}, 1);
  Atomics.notify(header, ${READY});
}
for (;;) {
  const header = new Int32Array(memory.buffer, 0, ${HEADER / 4});
  // Spin ~0.1–0.3 ms for the next task before sleeping: products often come back to back (layers, training
  // steps), and waking a sleeping worker costs 50–100 µs on this machine (docs/kernels.md).
  for (let spin = 0; spin < ${SPIN} && Atomics.load(header, ${SEQ}) === seen; spin++);
  Atomics.wait(header, ${SEQ}, seen);
  seen = Atomics.load(header, ${SEQ});
  if (seen < 0) break;
  try {
    threadWork(gemm, epilogue, pack, memory, header, thread, threads, erf, packA, packB);
  } catch (error) {
    console.error('WasmGemm worker', thread, error);
    Atomics.store(header, ${FAILED}, 1);
  }
  Atomics.add(header, ${DONE}, 1);
  Atomics.notify(header, ${DONE});
}
`;

/**
 * Dense float32 product on WebAssembly SIMD (128-bit) micro-kernels, with the work split over worker threads
 * sharing one WebAssembly memory. Semantics of `matmulCpu` except that sums are float32 in blocked order
 * (error bound in packages/testing/src/kernel-conformance.ts). Synchronous once created: the calling thread
 * computes its share and waits (Atomics.wait) for the workers. Written because tfjs-wasm's XNNPACK runs one
 * thread in Node and reached 13–17 GFLOP/s here (docs/kernels.md).
 */
export class WasmGemm {
  private memory: WasmMemory;
  private readonly gemm: (...args: number[]) => void;
  private readonly epilogue: (...args: number[]) => void;
  private readonly pack: (...args: number[]) => void;
  private readonly workers: Worker[] = [];
  private seq = 0;
  /** Threads actually in use (fewer than requested when worker threads failed to start). */
  readonly threads: number;

  /** Whether the micro-kernel uses relaxed-SIMD fused multiply-adds (f32x4.relaxed_madd). */
  readonly fma: boolean;

  private constructor(requested: number, fma: boolean) {
    this.fma = fma;
    const module = new wasm.Module(gemmModuleBytes(MAX_PAGES, MR, UNROLL, fma));
    this.memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const exports = new wasm.Instance(module, { env: { memory: this.memory } }).exports;
    this.gemm = exports['gemm'] as (...args: number[]) => void;
    this.epilogue = exports['epilogue'] as (...args: number[]) => void;
    this.pack = exports['pack'] as (...args: number[]) => void;
    new Float32Array(this.memory.buffer).set(tanhConstantTable(), TANH_TABLE / 4);
    for (let t = 1; t < requested; t++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { module, memory: this.memory, thread: t, threads: requested },
      });
      worker.unref();
      this.workers.push(worker);
    }
    // Wait (≤ 10 s) until every helper has started; otherwise run on the calling thread alone.
    const header = new Int32Array(this.memory.buffer, 0, HEADER / 4);
    const deadline = Date.now() + 10_000;
    for (
      let ready = Atomics.load(header, READY);
      ready < this.workers.length && Date.now() < deadline;
      ready = Atomics.load(header, READY)
    )
      Atomics.wait(header, READY, ready, 100);
    if (Atomics.load(header, READY) < this.workers.length) {
      for (const w of this.workers) void w.terminate();
      this.workers.length = 0;
    }
    this.threads = this.workers.length + 1;
  }

  /** Whether this Node supports WebAssembly SIMD and shared memory (checked by validating a tiny module). */
  static supported(): boolean {
    try {
      return wasm.validate(gemmModuleBytes(2, MR));
    } catch {
      return false;
    }
  }

  /** Threads default to the available cores (at most 8). */
  static create(threads = Math.min(8, availableParallelism()), options: { fma?: boolean } = {}): WasmGemm {
    return new WasmGemm(Math.max(1, Math.floor(threads)), options.fma === true && WasmGemm.relaxedSimdSupported());
  }

  /** Whether this Node validates relaxed-SIMD instructions (Node 20 only with --experimental-wasm-relaxed-simd). */
  static relaxedSimdSupported(): boolean {
    try {
      return wasm.validate(gemmModuleBytes(2, MR, UNROLL, true));
    } catch {
      return false;
    }
  }

  dispose(): void {
    const header = new Int32Array(this.memory.buffer, 0, HEADER / 4);
    Atomics.store(header, SEQ, -1);
    Atomics.notify(header, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  /** C = φ(op(A)·op(B) + bias) (see matmulCpu for shapes and options). */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, options: MatmulOptions = {}): Float32Array {
    checkMatmul('WasmGemm.matmul', a, b, m, k, n, options);
    if (m === 0 || n === 0 || k === 0) return matmulCpu(a, b, m, k, n, options);
    const { transposeA = false, transposeB = false, bias, activation = 'identity' } = options;
    const mPanels = Math.ceil(m / MR);
    const nPanels = Math.ceil(n / NR);
    const kPad = k + (k & 1);
    const ldc = nPanels * NR * 4 + 64; // +64 B: rows 4 KiB apart alias in L1 sets
    const apOff = DATA;
    const bpOff = apOff + mPanels * MR * kPad * 4;
    const cOff = bpOff + nPanels * NR * kPad * 4;
    const biasOff = cOff + mPanels * MR * ldc;
    const aRaw = biasOff + nPanels * NR * 4;
    const bRaw = aRaw + m * k * 4;
    this.reserve(bRaw + k * n * 4);
    const f = new Float32Array(this.memory.buffer);
    // Raw operands into shared memory (memcpy speed); every thread then packs its own share.
    f.set(a, aRaw / 4);
    f.set(b, bRaw / 4);
    f.fill(0, biasOff / 4, biasOff / 4 + nPanels * NR);
    if (bias) f.set(bias, biasOff / 4);
    const header = new Int32Array(this.memory.buffer, 0, HEADER / 4);
    // Depth blocks of equal size (≤ KC, even): 784 = 3 × 262 rather than 256 + 256 + 256 + 16.
    const depthBlocks = Math.ceil(kPad / KC);
    const kc = Math.ceil(kPad / depthBlocks / 2) * 2;
    header.set(
      [
        apOff,
        bpOff,
        cOff,
        mPanels,
        nPanels,
        kPad,
        ldc,
        biasOff,
        activationCodes[activation],
        n,
        kc,
        MC,
        MR,
        NR,
        aRaw,
        bRaw,
        m,
        k,
        transposeA ? 1 : 0,
        transposeB ? 1 : 0,
        bias ? 1 : 0,
        TANH_TABLE,
      ],
      PARAMS,
    );
    Atomics.store(header, DONE, 0);
    Atomics.store(header, FAILED, 0);
    Atomics.store(header, PACKED, 0);
    const helpers = this.workers.length;
    if (helpers > 0) {
      this.seq = (this.seq + 1) & 0x3fffffff;
      Atomics.store(header, SEQ, this.seq);
      Atomics.notify(header, SEQ);
    }
    threadWork(this.gemm, this.epilogue, this.pack, this.memory, header, 0, this.threads, erf, packA, packB);
    // While the workers finish, allocate the result and copy this thread's rows (threadWork's split).
    const out = options.out ?? new Float32Array(m * n);
    const ownRows = Math.min(m, Math.floor(mPanels / this.threads) * MR);
    const copyRows = (from: number, to: number) => {
      for (let i = from; i < to; i++) out.set(f.subarray((cOff + i * ldc) / 4, (cOff + i * ldc) / 4 + n), i * n);
    };
    copyRows(0, ownRows);
    for (let spin = 0, done = Atomics.load(header, DONE); done < helpers; done = Atomics.load(header, DONE), spin++)
      if (spin > SPIN) Atomics.wait(header, DONE, done);
    if (Atomics.load(header, FAILED) !== 0)
      throw new Error('WasmGemm: a worker thread failed (its error is on stderr)');
    copyRows(ownRows, m);
    return out;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

/**
 * Packs op(A) panels [ipFirst, ipLast) from the raw m×k (or, transposed, k×m) operand at f[src…] into blocks
 * [pc][panel][p][mr] at f[base…], zero-padded to mPanels·mr rows and kPad columns, each panel copied by the
 * module's `pack`. Self-contained (workers).
 */
export function packA(
  f: Float32Array,
  base: number,
  src: number,
  m: number,
  k: number,
  kPad: number,
  mPanels: number,
  transposed: boolean,
  mr: number,
  kcBlock: number,
  ipFirst: number,
  ipLast: number,
  pack: (...args: number[]) => void,
): void {
  for (let pc = 0; pc < kPad; pc += kcBlock) {
    const depth = Math.min(kcBlock, kPad - pc);
    const inK = Math.max(0, Math.min(depth, k - pc)); // columns of this block inside op(A)
    const blockBase = base + pc * mPanels * mr;
    for (let ip = ipFirst; ip < ipLast; ip++) {
      const panel = blockBase + ip * depth * mr;
      const rows = Math.min(mr, m - ip * mr);
      if (rows < mr || inK < depth) f.fill(0, panel, panel + depth * mr);
      // op(A)[i][q] = a[i·k + q], or a[q·m + i] transposed (then mr consecutive source values per p).
      if (transposed) pack(panel * 4, (src + pc * m + ip * mr) * 4, inK, rows, mr, m * 4, 4);
      else pack(panel * 4, (src + ip * mr * k + pc) * 4, inK, rows, mr, 4, k * 4);
    }
  }
}

/**
 * Packs op(B) panels [jpFirst, jpLast) from the raw k×n (or, transposed, n×k) operand at f[src…] into blocks
 * [pc][panel][p][nr] at f[base…], zero-padded to kPad rows and nPanels·nr columns, each panel copied by the
 * module's `pack`. Self-contained (workers).
 */
export function packB(
  f: Float32Array,
  base: number,
  src: number,
  k: number,
  n: number,
  kPad: number,
  nPanels: number,
  transposed: boolean,
  nr: number,
  kcBlock: number,
  jpFirst: number,
  jpLast: number,
  pack: (...args: number[]) => void,
): void {
  for (let pc = 0; pc < kPad; pc += kcBlock) {
    const depth = Math.min(kcBlock, kPad - pc);
    const inK = Math.max(0, Math.min(depth, k - pc));
    const blockBase = base + pc * nPanels * nr;
    for (let jp = jpFirst; jp < jpLast; jp++) {
      const panel = blockBase + jp * depth * nr;
      const cols = Math.min(nr, n - jp * nr);
      if (cols < nr || inK < depth) f.fill(0, panel, panel + depth * nr);
      // op(B)[q][j] = b[q·n + j] (nr consecutive values per p), or b[j·k + q] transposed.
      if (transposed) pack(panel * 4, (src + jp * nr * k + pc) * 4, inK, cols, nr, 4, k * 4);
      else pack(panel * 4, (src + pc * n + jp * nr) * 4, inK, cols, nr, n * 4, 4);
    }
  }
}
