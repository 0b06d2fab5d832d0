/**
 * Names, families and typed inputs of every kernel (one place, as in TensorFlow.js's `kernel_names`).
 *
 * Conventions shared by all kernels:
 * - Matrices are dense, row-major, in flat typed arrays; shapes are passed as plain numbers.
 * - Dense and element-wise kernels compute in float32 storage (`Float32Array` out). The CPU twins accumulate
 *   sums in float64 and round once when storing; other backends may accumulate in float32 and are compared
 *   with the twins at the tolerances stated in packages/testing/src/kernel-conformance.ts.
 * - Reductions return `Float64Array` (probes consume them); histograms return `Float64Array` counts.
 * - Randomness is always supplied by the caller (a `RandomStream` or an array of uniforms), never drawn by a
 *   backend: gpu.js integer arithmetic is unreliable for random number generators (docs/kernels.md).
 */

/** Element-wise activation applied after a dense product: φ(x). */
export type Activation = 'identity' | 'tanh' | 'relu' | 'sigmoid' | 'erf';
export const activations: readonly Activation[] = ['identity', 'tanh', 'relu', 'sigmoid', 'erf'];

export interface MatmulOptions {
  /** Use Aᵀ: `a` is stored k×m instead of m×k. */
  transposeA?: boolean;
  /** Use Bᵀ: `b` is stored n×k instead of k×n. */
  transposeB?: boolean;
  /** Length-n row vector added to every row of the product before the activation. */
  bias?: Float32Array;
  /** Activation φ applied element-wise: C = φ(op(A)·op(B) + bias). Default 'identity'. */
  activation?: Activation;
  /** Output buffer of length m·n (written and returned); a new array when omitted. */
  out?: Float32Array;
}

export interface HistogramRange {
  /** Lower edge of the first bin. */
  lo: number;
  /** Upper edge of the last bin (included in the last bin, as numpy.histogram does). */
  hi: number;
}

export interface NearestNeighbours {
  /** n×k indices into the reference rows, nearest first; ties broken by the lower index. */
  indices: Int32Array;
  /** n×k squared Euclidean distances matching `indices`. */
  distances: Float32Array;
}

/** Every kernel in the registry. */
export const kernelNames = [
  'matmul',
  'activation',
  'activation-derivative',
  'softmax',
  'softmax-backward',
  'row-mean',
  'row-variance',
  'column-mean',
  'column-variance',
  'log-sum-exp',
  'histogram-1d',
  'histogram-2d',
  'pairwise-squared-distances',
  'k-nearest-neighbours',
  'ising-checkerboard-half-sweep',
  'random-uniform',
  'random-normal',
] as const;
export type KernelName = (typeof kernelNames)[number];

/** Families: `auto` chooses a backend per family from measured timings. */
export type KernelFamily = 'dense' | 'elementwise' | 'reduction' | 'histogram' | 'distance' | 'ising' | 'random';
export const kernelFamilies: readonly KernelFamily[] = [
  'dense',
  'elementwise',
  'reduction',
  'histogram',
  'distance',
  'ising',
  'random',
];

export const familyOf: Readonly<Record<KernelName, KernelFamily>> = {
  matmul: 'dense',
  activation: 'elementwise',
  'activation-derivative': 'elementwise',
  softmax: 'elementwise',
  'softmax-backward': 'elementwise',
  'row-mean': 'reduction',
  'row-variance': 'reduction',
  'column-mean': 'reduction',
  'column-variance': 'reduction',
  'log-sum-exp': 'reduction',
  'histogram-1d': 'histogram',
  'histogram-2d': 'histogram',
  'pairwise-squared-distances': 'distance',
  'k-nearest-neighbours': 'distance',
  'ising-checkerboard-half-sweep': 'ising',
  'random-uniform': 'random',
  'random-normal': 'random',
};

/** Float input accepted by element-wise, reduction, histogram and distance kernels. */
export type FloatArray = Float32Array | Float64Array;
