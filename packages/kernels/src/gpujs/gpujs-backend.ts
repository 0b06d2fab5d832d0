/* eslint-disable @typescript-eslint/no-explicit-any */
import { ArgumentError } from '@entroscope/core';
import type { BackendId, KernelImpl } from '../backend';
import type { KernelRegistry } from '../registry';
import type { Activation, FloatArray, HistogramRange, KernelName, MatmulOptions } from '../kernel-names';
import { activationCpu, checkShape } from '../cpu/activation-cpu';
import { checkMatmul, matmulCpu } from '../cpu/matmul-cpu';
import { acceptanceTable, checkLattice } from '../cpu/ising-checkerboard-cpu';
import { checkBins, histogram1dCpu } from '../cpu/histogram-cpu';
import { checkK, checkPoints, selectNearest } from '../cpu/distance-cpu';
import { fillNormalCpu, fillUniformCpu } from '../cpu/random-fill-cpu';
import { activateDerivativeGpu, activateGpu, erfGpu, kernelSources, sigmoidGpu } from './gpujs-kernels';

export type GpujsMode = 'cpu' | 'webasm' | 'headlessgl' | 'webgpu';
export const gpujsModes: readonly GpujsMode[] = ['cpu', 'webasm', 'headlessgl', 'webgpu'];

const activationCodes: Record<Activation, number> = { identity: 0, tanh: 1, relu: 2, sigmoid: 3, erf: 4 };
const WIDTH = 4096;
/** Loop bound compiled into every kernel (gpu.js silently stops loops at 1000 otherwise). */
const LOOP_MAX = 1 << 24;

type GpuModule = typeof import('gpu.js');

const HEADLESSGL_MISSING =
  "headless WebGL is not available: the native package 'gl' is not built (the workspace sets allowScripts gl: false; building it needs libxi-dev libglu1-mesa-dev libglew-dev pkg-config, and running it an X server such as Xvfb)";
const WEBGPU_MISSING =
  "WebGPU is not available: no navigator.gpu in this Node process (needs the 'webgpu' Dawn bindings and a working adapter)";
let gpuModule: Promise<GpuModule> | undefined;

/** Loads gpu.js on first use (≈ 0.2 s); nothing imports it eagerly. */
export function loadGpujs(): Promise<GpuModule> {
  gpuModule ??= import('gpu.js');
  return gpuModule;
}

/** Why a gpu.js mode cannot run here, or null when it can (checked by running a tiny kernel). */
export async function gpujsUnavailableReason(mode: GpujsMode): Promise<string | null> {
  let GPU: GpuModule['GPU'];
  try {
    ({ GPU } = await loadGpujs());
  } catch (error) {
    return `gpu.js failed to load: ${(error as Error).message}`;
  }
  if (mode === 'headlessgl' && !GPU.isHeadlessGLSupported) {
    return HEADLESSGL_MISSING;
  }
  if (mode === 'webgpu') {
    if (!GPU.isWebGPUSupported) return WEBGPU_MISSING;
    const ok = await (GPU as any).isWebGPUAvailable().catch(() => false);
    if (!ok) return 'WebGPU is present but no adapter could be obtained';
  }
  try {
    const gpu = new GPU({ mode } as any);
    const kernel = gpu
      .createKernel(function (this: any, a: any) {
        return a[this.thread.x] * 2;
      })
      .setOutput([2]);
    const result = await (kernel as any)(new Float32Array([1.5, 2]));
    gpu.destroy?.();
    if (Math.abs(result[0] - 3) > 1e-6 || Math.abs(result[1] - 4) > 1e-6)
      return `gpu.js mode '${mode}' computed a wrong smoke-test result`;
  } catch (error) {
    return `gpu.js mode '${mode}' failed: ${(error as Error).message}`;
  }
  return null;
}

/**
 * The gpu.js backend of one mode: every kernel through gpu.js in float32. Parts that a data-parallel map
 * cannot express are done on the host and say so: histogram counting (gpu.js computes the bin index of every
 * sample), k-NN selection (gpu.js computes the distance matrix), random fills (generated on the host and
 * supplied as inputs, because gpu.js integer arithmetic breaks RNGs), and empty shapes (gpu.js cannot
 * allocate zero-size outputs; the twin answers them).
 */
export class GpujsKernels {
  private gpu: any;
  private readonly kernels = new Map<string, any>();

  private constructor(
    readonly mode: GpujsMode,
    GPU: GpuModule['GPU'],
  ) {
    this.gpu = new GPU({ mode } as any);
    for (const fn of [erfGpu, sigmoidGpu, activateGpu, activateDerivativeGpu]) this.gpu.addFunction(fn);
  }

  static async create(mode: GpujsMode): Promise<GpujsKernels> {
    const reason = await gpujsUnavailableReason(mode);
    if (reason) throw new ArgumentError(`backend 'gpujs:${mode}'`, 'an available gpu.js mode', reason);
    const { GPU } = await loadGpujs();
    return new GpujsKernels(mode, GPU);
  }

  /** gpu.js version string (for study.resolved.json). */
  static async version(): Promise<string> {
    await loadGpujs();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('gpu.js/package.json') as { version: string }).version;
  }

  dispose(): void {
    for (const k of this.kernels.values()) k.destroy?.();
    this.kernels.clear();
    this.gpu.destroy?.();
  }

  private kernel(name: keyof typeof kernelSources): any {
    let k = this.kernels.get(name);
    if (!k) {
      k = this.gpu.createKernel(kernelSources[name], {
        dynamicOutput: true,
        dynamicArguments: true,
        loopMaxIterations: LOOP_MAX,
        precision: 'single',
        tactic: 'precision',
      });
      this.kernels.set(name, k);
    }
    return k;
  }

  private async run2d(
    name: keyof typeof kernelSources,
    cols: number,
    rows: number,
    ...args: unknown[]
  ): Promise<Float32Array> {
    const k = this.kernel(name);
    k.setOutput([cols, rows]);
    const result = await k(...args);
    return flatten(result, rows, cols);
  }

  /** A length-`len` result in the 2D layout (width ≤ 4096). */
  private async run1d(
    name: keyof typeof kernelSources,
    len: number,
    argsOf: (width: number) => unknown[],
  ): Promise<Float32Array> {
    const width = Math.min(len, WIDTH);
    const height = Math.ceil(len / width);
    const flat = await this.run2d(name, width, height, ...argsOf(width));
    return flat.length === len ? flat : flat.slice(0, len);
  }

  async matmul(
    a: Float32Array,
    b: Float32Array,
    m: number,
    k: number,
    n: number,
    options: MatmulOptions = {},
  ): Promise<Float32Array> {
    checkMatmul(`gpujs:${this.mode} matmul`, a, b, m, k, n, options);
    if (m === 0 || n === 0 || k === 0) return matmulCpu(a, b, m, k, n, options);
    const bias = options.bias ?? new Float32Array(n);
    const code = activationCodes[options.activation ?? 'identity'];
    if (code === undefined) activationCpu(options.activation as Activation, new Float32Array(0));
    const c = await this.run2d(
      'matmul',
      n,
      m,
      a,
      b,
      bias,
      m,
      k,
      n,
      options.transposeA ? 1 : 0,
      options.transposeB ? 1 : 0,
      code,
    );
    if (options.out) {
      options.out.set(c);
      return options.out;
    }
    return c;
  }

  async activation(name: Activation, x: FloatArray, derivative: boolean): Promise<Float32Array> {
    const code = activationCodes[name];
    if (code === undefined) activationCpu(name, new Float32Array(0));
    if (x.length === 0) return new Float32Array(0);
    return this.run1d('activation', x.length, (width) => [f32(x), x.length, width, code, derivative ? 1 : 0]);
  }

  async logSumExp(x: FloatArray, rows: number, cols: number): Promise<Float64Array> {
    checkShape(`gpujs:${this.mode} log-sum-exp`, x.length, rows, cols);
    if (rows === 0) return new Float64Array(0);
    if (cols === 0) return new Float64Array(rows).fill(-Infinity);
    return Float64Array.from(await this.run1d('logSumExp', rows, (width) => [f32(x), rows, cols, width]));
  }

  async softmax(x: FloatArray, rows: number, cols: number): Promise<Float32Array> {
    checkShape(`gpujs:${this.mode} softmax`, x.length, rows, cols);
    if (rows === 0 || cols === 0) return new Float32Array(0);
    const lse = await this.run1d('logSumExp', rows, (width) => [f32(x), rows, cols, width]);
    return this.run2d('softmaxFromLse', cols, rows, f32(x), lse, cols);
  }

  async softmaxBackward(y: FloatArray, g: FloatArray, rows: number, cols: number): Promise<Float32Array> {
    checkShape(`gpujs:${this.mode} softmax-backward`, y.length, rows, cols);
    checkShape(`gpujs:${this.mode} softmax-backward (gradient)`, g.length, rows, cols);
    if (rows === 0 || cols === 0) return new Float32Array(0);
    const dot = await this.run1d('rowDot', rows, (width) => [f32(y), f32(g), rows, cols, width]);
    return this.run2d('softmaxBackward', cols, rows, f32(y), f32(g), dot, cols);
  }

  async reduce(x: FloatArray, rows: number, cols: number, axis: 0 | 1, moment: 1 | 2, ddof = 0): Promise<Float64Array> {
    checkShape(`gpujs:${this.mode} reduction`, x.length, rows, cols);
    if (!Number.isInteger(ddof) || ddof < 0)
      throw new ArgumentError(`gpujs:${this.mode} variance: ddof`, 'a non-negative integer', ddof);
    const len = axis === 0 ? rows : cols;
    const count = axis === 0 ? cols : rows;
    if (len === 0) return new Float64Array(0);
    if (count === 0 || (moment === 2 && count - ddof <= 0)) return new Float64Array(len).fill(NaN);
    return Float64Array.from(
      await this.run1d('reduce', len, (width) => [f32(x), rows, cols, width, axis, moment, ddof]),
    );
  }

  async binIndices(x: FloatArray, bins: number, range: HistogramRange): Promise<Float32Array> {
    return this.run1d('binIndex', x.length, (width) => [f32(x), x.length, width, bins, range.lo, range.hi]);
  }

  async histogram1d(x: FloatArray, bins: number, range: HistogramRange): Promise<Float64Array> {
    checkBins(`gpujs:${this.mode} histogram-1d`, bins, range);
    if (x.length === 0) return histogram1dCpu(x, bins, range);
    const idx = await this.binIndices(x, bins, range);
    const counts = new Float64Array(bins);
    for (let i = 0; i < idx.length; i++) if (idx[i]! >= 0) counts[idx[i]!]++;
    return counts;
  }

  async histogram2d(
    x: FloatArray,
    y: FloatArray,
    binsX: number,
    binsY: number,
    rangeX: HistogramRange,
    rangeY: HistogramRange,
  ): Promise<Float64Array> {
    checkBins(`gpujs:${this.mode} histogram-2d (x)`, binsX, rangeX);
    checkBins(`gpujs:${this.mode} histogram-2d (y)`, binsY, rangeY);
    if (x.length !== y.length)
      throw new ArgumentError(
        `gpujs:${this.mode} histogram-2d`,
        'x and y of equal length',
        `${x.length} and ${y.length}`,
      );
    const counts = new Float64Array(binsX * binsY);
    if (x.length === 0) return counts;
    const ix = await this.binIndices(x, binsX, rangeX);
    const iy = await this.binIndices(y, binsY, rangeY);
    for (let i = 0; i < ix.length; i++) if (ix[i]! >= 0 && iy[i]! >= 0) counts[ix[i]! * binsY + iy[i]!]++;
    return counts;
  }

  async pairwise(x: FloatArray, y: FloatArray, n: number, m: number, d: number): Promise<Float32Array> {
    checkPoints(`gpujs:${this.mode} pairwise-squared-distances`, x, y, n, m, d);
    if (n === 0 || m === 0) return new Float32Array(0);
    if (d === 0) return new Float32Array(n * m);
    return this.run2d('pairwise', m, n, f32(x), f32(y), d);
  }

  async knn(x: FloatArray, y: FloatArray, n: number, m: number, d: number, k: number, excludeSelf = false) {
    checkPoints(`gpujs:${this.mode} k-nearest-neighbours`, x, y, n, m, d);
    checkK(`gpujs:${this.mode} k-nearest-neighbours`, k, n, m, excludeSelf);
    return selectNearest(await this.pairwise(x, y, n, m, d), n, m, k, excludeSelf);
  }

  async isingHalfSweep(
    spins: Int8Array,
    L: number,
    K: number,
    parity: 0 | 1,
    uniforms: Float32Array | Float64Array,
  ): Promise<number> {
    checkLattice(`gpujs:${this.mode} ising-checkerboard-half-sweep`, spins, L);
    if (parity !== 0 && parity !== 1) throw new ArgumentError(`gpujs:${this.mode} ising: parity`, '0 or 1', parity);
    if (uniforms.length < (L * L) / 2)
      throw new ArgumentError(`gpujs:${this.mode} ising: uniforms`, `at least L²/2 = ${(L * L) / 2}`, uniforms.length);
    const next = await this.run2d(
      'isingHalfSweep',
      L,
      L,
      Float32Array.from(spins),
      f32(uniforms),
      Float32Array.from(acceptanceTable(K)),
      L,
      parity,
    );
    let flips = 0;
    for (let i = 0; i < next.length; i++) {
      const s = next[i]! > 0 ? 1 : -1;
      if (s !== spins[i]) flips++;
      spins[i] = s;
    }
    return flips;
  }
}

/** Registers the kernels of `gpujs:<mode>`, each delegating to a lazily created `GpujsKernels`. */
export function registerGpujsKernels(
  registry: KernelRegistry,
  mode: GpujsMode,
  get: () => Promise<GpujsKernels>,
): void {
  const id = `gpujs:${mode}` as BackendId;
  const entries: { [N in KernelName]: KernelImpl<N> } = {
    matmul: async (a, b, m, k, n, o) => (await get()).matmul(a, b, m, k, n, o),
    activation: async (name, x) => (await get()).activation(name, x, false),
    'activation-derivative': async (name, x) => (await get()).activation(name, x, true),
    softmax: async (x, r, c) => (await get()).softmax(x, r, c),
    'softmax-backward': async (y, g, r, c) => (await get()).softmaxBackward(y, g, r, c),
    'row-mean': async (x, r, c) => (await get()).reduce(x, r, c, 0, 1),
    'row-variance': async (x, r, c, ddof) => (await get()).reduce(x, r, c, 0, 2, ddof),
    'column-mean': async (x, r, c) => (await get()).reduce(x, r, c, 1, 1),
    'column-variance': async (x, r, c, ddof) => (await get()).reduce(x, r, c, 1, 2, ddof),
    'log-sum-exp': async (x, r, c) => (await get()).logSumExp(x, r, c),
    'histogram-1d': async (x, bins, range) => (await get()).histogram1d(x, bins, range),
    'histogram-2d': async (x, y, bx, by, rx, ry) => (await get()).histogram2d(x, y, bx, by, rx, ry),
    'pairwise-squared-distances': async (x, y, n, m, d) => (await get()).pairwise(x, y, n, m, d),
    'k-nearest-neighbours': async (x, y, n, m, d, k, e) => (await get()).knn(x, y, n, m, d, k, e),
    'ising-checkerboard-half-sweep': async (s, L, K, p, u) => (await get()).isingHalfSweep(s, L, K, p, u),
    // Randoms are generated on the host and supplied as inputs (gpu.js integer RNG arithmetic is wrong).
    'random-uniform': fillUniformCpu,
    'random-normal': fillNormalCpu,
  };
  for (const name of Object.keys(entries) as KernelName[])
    registry.register(name, id, entries[name] as KernelImpl<typeof name>);
}

function f32(x: FloatArray): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

/** gpu.js returns 2D outputs as an array of rows. */
function flatten(result: any, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = result[i];
    for (let j = 0; j < cols; j++) out[i * cols + j] = row[j];
  }
  return out;
}

/**
 * Synchronous availability check, for test declaration time (jest must know at collection whether a test is
 * skipped). Optimistic for webgpu (the API surface exists); `gpujsUnavailableReason` is the full check.
 */
export function gpujsUnavailableReasonSync(mode: GpujsMode): string | null {
  let GPU: GpuModule['GPU'];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ GPU } = require('gpu.js') as GpuModule);
  } catch (error) {
    return `gpu.js failed to load: ${(error as Error).message}`;
  }
  if (mode === 'headlessgl' && !GPU.isHeadlessGLSupported) {
    return HEADLESSGL_MISSING;
  }
  if (mode === 'webgpu' && !GPU.isWebGPUSupported) return WEBGPU_MISSING;
  return null;
}
