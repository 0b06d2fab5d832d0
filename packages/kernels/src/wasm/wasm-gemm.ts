import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { MatmulOptions } from '../kernel-names';
import { checkMatmul, matmulCpu } from '../cpu/matmul-cpu';
import { erf } from '../cpu/activation-cpu';
import { gemmModuleBytes, NR } from './wasm-gemm-module';

/** Register-tile rows of the micro-kernel (6×8 measured best with 4×8 and 8×8 on the 2-core EPYC, docs/kernels.md). */
const MR = 6;
/** Depth of a packed block (B panel KC×NR×4 B = 8 KiB stays in L1) and rows per A block (MC×KC×4 B = 96 KiB in L2). */
const KC = 256;
const MC = 96;
const MAX_PAGES = 32768; // 2 GiB of shared memory at most.
const HEADER = 256; // bytes of control words at the start of memory

// Control words (Int32 indices into the header).
const SEQ = 0; // task sequence number, bumped by the main thread
const DONE = 1; // workers finished with the current task (counter)
const PARAMS = 8; // task parameters

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
 * Per-thread body: the micro-kernel loop over this thread's A blocks, then bias + activation on its rows of C.
 * Shared by the main thread and the workers (the workers receive it as source text, so it must be
 * self-contained: it only uses its arguments and the functions injected next to it).
 */
function threadWork(gemm: (...args: number[]) => void, memory: WasmMemory, p: Int32Array, thread: number, threads: number, erfFn: (x: number) => number): void {
  const [apOff, bpOff, cOff, mPanels, nPanels, kPad, ldc, biasOff, code, n, kc, mc, mr] = [p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, p[9]!, p[10]!, p[11]!, p[12]!];
  const mcPanels = mc / mr;
  const blocks = Math.ceil(mPanels / mcPanels);
  const first = Math.floor((blocks * thread) / threads);
  const last = Math.floor((blocks * (thread + 1)) / threads);
  for (let blk = first; blk < last; blk++) {
    const ip0 = blk * mcPanels;
    const panels = Math.min(mcPanels, mPanels - ip0);
    for (let pc = 0; pc < kPad; pc += kc) {
      const depth = Math.min(kc, kPad - pc);
      // A block (pc): panels of `depth`×MR floats, contiguous; B block (pc): panels of depth×8 floats.
      gemm(apOff + (pc * mPanels * mr + ip0 * depth * mr) * 4, bpOff + pc * nPanels * 8 * 4, cOff + ip0 * mr * ldc, panels, nPanels, depth, ldc, pc > 0 ? 1 : 0, depth * mr * 4, depth * 8 * 4);
    }
    if (biasOff >= 0 || code !== 0) {
      const f = new Float32Array(memory.buffer);
      const bias = biasOff >= 0 ? f.subarray(biasOff / 4, biasOff / 4 + n) : null;
      for (let i = ip0 * mr; i < (ip0 + panels) * mr; i++) {
        const row = (cOff + i * ldc) / 4;
        for (let j = 0; j < n; j++) {
          const x = f[row + j]! + (bias ? bias[j]! : 0);
          f[row + j] = code === 0 ? x : code === 1 ? Math.tanh(x) : code === 2 ? (x > 0 ? x : 0) : code === 3 ? (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) : erfFn(x);
        }
      }
    }
  }
}

const workerSource = `
const { workerData } = require('node:worker_threads');
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const erf = ${erf.toString()};
const threadWork = ${threadWork.toString()};
const { module, memory, thread, threads } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
let seen = 0;
for (;;) {
  const header = new Int32Array(memory.buffer, 0, ${HEADER / 4});
  Atomics.wait(header, ${SEQ}, seen);
  seen = Atomics.load(header, ${SEQ});
  if (seen < 0) break;
  threadWork(gemm, memory, header.subarray(${PARAMS}), thread, threads, erf);
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
  private readonly workers: Worker[] = [];
  private seq = 0;

  private constructor(readonly threads: number) {
    const module = new wasm.Module(gemmModuleBytes(MAX_PAGES, MR));
    this.memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.gemm = new wasm.Instance(module, { env: { memory: this.memory } }).exports['gemm'] as (...args: number[]) => void;
    for (let t = 1; t < threads; t++) {
      const worker = new Worker(workerSource, { eval: true, workerData: { module, memory: this.memory, thread: t, threads } });
      worker.unref();
      this.workers.push(worker);
    }
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
  static create(threads = Math.min(8, availableParallelism())): WasmGemm {
    return new WasmGemm(Math.max(1, Math.floor(threads)));
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
    const apOff = HEADER;
    const bpOff = apOff + mPanels * MR * kPad * 4;
    const cOff = bpOff + nPanels * NR * kPad * 4;
    const biasOff = cOff + mPanels * MR * ldc;
    this.reserve(biasOff + n * 4);
    const f = new Float32Array(this.memory.buffer);
    packA(f, apOff / 4, a, m, k, kPad, mPanels, transposeA);
    packB(f, bpOff / 4, b, k, n, kPad, nPanels, transposeB);
    if (bias) f.set(bias, biasOff / 4);
    const header = new Int32Array(this.memory.buffer, 0, HEADER / 4);
    header.set([apOff, bpOff, cOff, mPanels, nPanels, kPad, ldc, bias ? biasOff : -1, activationCodes[activation], n, KC, MC, MR], PARAMS);
    Atomics.store(header, DONE, 0);
    const helpers = this.workers.length;
    if (helpers > 0) {
      this.seq = (this.seq + 1) & 0x3fffffff;
      Atomics.store(header, SEQ, this.seq);
      Atomics.notify(header, SEQ);
    }
    threadWork(this.gemm, this.memory, header.subarray(PARAMS), 0, this.threads, erf);
    for (let done = Atomics.load(header, DONE); done < helpers; done = Atomics.load(header, DONE)) Atomics.wait(header, DONE, done);
    const out = options.out ?? new Float32Array(m * n);
    for (let i = 0; i < m; i++) out.set(f.subarray((cOff + i * ldc) / 4, (cOff + i * ldc) / 4 + n), i * n);
    return out;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

/** op(A) (m×k) into blocks [pc][panel][p][MR], zero-padded to mPanels·MR rows and kPad columns. */
function packA(f: Float32Array, base: number, a: Float32Array, m: number, k: number, kPad: number, mPanels: number, transposed: boolean): void {
  for (let pc = 0; pc < kPad; pc += KC) {
    const depth = Math.min(KC, kPad - pc);
    const blockBase = base + pc * mPanels * MR;
    for (let ip = 0; ip < mPanels; ip++) {
      const panel = blockBase + ip * depth * MR;
      for (let r = 0; r < MR; r++) {
        const i = ip * MR + r;
        if (i >= m) {
          for (let p = 0; p < depth; p++) f[panel + p * MR + r] = 0;
          continue;
        }
        for (let p = 0; p < depth; p++) {
          const q = pc + p;
          f[panel + p * MR + r] = q < k ? (transposed ? a[q * m + i]! : a[i * k + q]!) : 0;
        }
      }
    }
  }
}

/** op(B) (k×n) into blocks [pc][panel][p][NR], zero-padded to kPad rows and nPanels·NR columns. */
function packB(f: Float32Array, base: number, b: Float32Array, k: number, n: number, kPad: number, nPanels: number, transposed: boolean): void {
  for (let pc = 0; pc < kPad; pc += KC) {
    const depth = Math.min(KC, kPad - pc);
    const blockBase = base + pc * nPanels * NR;
    for (let jp = 0; jp < nPanels; jp++) {
      const panel = blockBase + jp * depth * NR;
      for (let p = 0; p < depth; p++) {
        const q = pc + p;
        const dst = panel + p * NR;
        for (let c = 0; c < NR; c++) {
          const j = jp * NR + c;
          f[dst + c] = q < k && j < n ? (transposed ? b[j * k + q]! : b[q * n + j]!) : 0;
        }
      }
    }
  }
}
