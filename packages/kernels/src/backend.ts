import type { BackendHandle, RandomStream } from '@entroscope/core';
import type {
  Activation,
  FloatArray,
  HistogramRange,
  KernelName,
  MatmulOptions,
  NearestNeighbours,
} from './kernel-names';

/** Backend ids a study may name (`auto` resolves to one of these per kernel family). */
export const backendIds = ['cpu', 'gpujs:cpu', 'gpujs:webasm', 'gpujs:headlessgl', 'gpujs:webgpu'] as const;
export type BackendId = (typeof backendIds)[number];
export type RequestedBackend = BackendId | 'auto';

/**
 * The signature of every kernel, keyed by kernel name. Implementations may be synchronous or return a
 * Promise; a `KernelBackend` always returns Promises. Semantics are those of the CPU twins (`*Cpu`).
 */
export interface KernelSignatures {
  matmul: (a: Float32Array, b: Float32Array, m: number, k: number, n: number, options?: MatmulOptions) => Float32Array;
  activation: (name: Activation, x: FloatArray) => Float32Array;
  'activation-derivative': (name: Activation, x: FloatArray) => Float32Array;
  softmax: (x: FloatArray, rows: number, cols: number) => Float32Array;
  'softmax-backward': (y: FloatArray, g: FloatArray, rows: number, cols: number) => Float32Array;
  'row-mean': (x: FloatArray, rows: number, cols: number) => Float64Array;
  'row-variance': (x: FloatArray, rows: number, cols: number, ddof?: number) => Float64Array;
  'column-mean': (x: FloatArray, rows: number, cols: number) => Float64Array;
  'column-variance': (x: FloatArray, rows: number, cols: number, ddof?: number) => Float64Array;
  'log-sum-exp': (x: FloatArray, rows: number, cols: number) => Float64Array;
  'histogram-1d': (x: FloatArray, bins: number, range: HistogramRange) => Float64Array;
  'histogram-2d': (
    x: FloatArray,
    y: FloatArray,
    binsX: number,
    binsY: number,
    rangeX: HistogramRange,
    rangeY: HistogramRange,
  ) => Float64Array;
  'pairwise-squared-distances': (x: FloatArray, y: FloatArray, n: number, m: number, d: number) => Float32Array;
  'k-nearest-neighbours': (
    x: FloatArray,
    y: FloatArray,
    n: number,
    m: number,
    d: number,
    k: number,
    excludeSelf?: boolean,
  ) => NearestNeighbours;
  'ising-checkerboard-half-sweep': (
    spins: Int8Array,
    L: number,
    K: number,
    parity: 0 | 1,
    uniforms: Float32Array | Float64Array,
  ) => number;
  'random-uniform': (random: RandomStream, out: Float32Array | Float64Array) => Float32Array | Float64Array;
  'random-normal': (
    random: RandomStream,
    out: Float32Array | Float64Array,
    mean?: number,
    sd?: number,
  ) => Float32Array | Float64Array;
}

type Asyncify<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : never;
/** An implementation of kernel N on some backend (sync or async). */
export type KernelImpl<N extends KernelName> = Asyncify<KernelSignatures[N]>;

/**
 * A compute backend resolved for a run: implements core's `BackendHandle` and exposes every kernel as a
 * Promise-returning method. Obtain it with `resolveKernelBackend` (once per run) or `kernelsFor(handle)`.
 */
export interface KernelBackend extends BackendHandle {
  /** e.g. `cpu`, `gpujs:webasm`, or for `auto` the id of the backend most families resolved to. */
  readonly id: string;
  /** Backend id used for each kernel family. */
  readonly families: Readonly<Record<string, BackendId>>;
  /** Runs kernel `name` on the backend its family resolved to. */
  run<N extends KernelName>(
    name: N,
    ...args: Parameters<KernelSignatures[N]>
  ): Promise<ReturnType<KernelSignatures[N]>>;
  matmul(
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    options?: MatmulOptions,
  ): Promise<Float32Array>;
  activation(name: Activation, x: FloatArray): Promise<Float32Array>;
  activationDerivative(name: Activation, x: FloatArray): Promise<Float32Array>;
  softmax(x: FloatArray, rows: number, cols: number): Promise<Float32Array>;
  softmaxBackward(y: FloatArray, g: FloatArray, rows: number, cols: number): Promise<Float32Array>;
  rowMean(x: FloatArray, rows: number, cols: number): Promise<Float64Array>;
  rowVariance(x: FloatArray, rows: number, cols: number, ddof?: number): Promise<Float64Array>;
  columnMean(x: FloatArray, rows: number, cols: number): Promise<Float64Array>;
  columnVariance(x: FloatArray, rows: number, cols: number, ddof?: number): Promise<Float64Array>;
  logSumExp(x: FloatArray, rows: number, cols: number): Promise<Float64Array>;
  histogram1d(x: FloatArray, bins: number, range: HistogramRange): Promise<Float64Array>;
  histogram2d(
    x: FloatArray,
    y: FloatArray,
    binsX: number,
    binsY: number,
    rangeX: HistogramRange,
    rangeY: HistogramRange,
  ): Promise<Float64Array>;
  pairwiseSquaredDistances(x: FloatArray, y: FloatArray, n: number, m: number, d: number): Promise<Float32Array>;
  kNearestNeighbours(
    x: FloatArray,
    y: FloatArray,
    n: number,
    m: number,
    d: number,
    k: number,
    excludeSelf?: boolean,
  ): Promise<NearestNeighbours>;
  isingCheckerboardHalfSweep(
    spins: Int8Array,
    L: number,
    K: number,
    parity: 0 | 1,
    uniforms: Float32Array | Float64Array,
  ): Promise<number>;
  fillUniform<T extends Float32Array | Float64Array>(random: RandomStream, out: T): Promise<T>;
  fillNormal<T extends Float32Array | Float64Array>(
    random: RandomStream,
    out: T,
    mean?: number,
    sd?: number,
  ): Promise<T>;
  /** Releases backend resources (gpu.js contexts, worker threads). */
  dispose(): Promise<void>;
}
