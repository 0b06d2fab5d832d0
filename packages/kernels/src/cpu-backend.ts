import type { KernelRegistry } from './registry';
import type { MatmulOptions } from './kernel-names';
import { activationCpu, activationDerivativeCpu, softmaxBackwardCpu, softmaxCpu } from './cpu/activation-cpu';
import { kNearestNeighboursCpu, pairwiseSquaredDistancesCpu } from './cpu/distance-cpu';
import { histogram1dCpu, histogram2dCpu } from './cpu/histogram-cpu';
import { isingCheckerboardHalfSweepCpu } from './cpu/ising-checkerboard-cpu';
import { FAST_MATMUL_THRESHOLD, matmulFast } from './cpu/matmul-fast';
import { matmulOnnx, onnxGemmEnabled } from './onnx/onnx-gemm';
import { fillNormalCpu, fillUniformCpu } from './cpu/random-fill-cpu';
import { columnMeanCpu, columnVarianceCpu, logSumExpCpu, rowMeanCpu, rowVarianceCpu } from './cpu/reduction-cpu';

/**
 * The `cpu` backend's dense product: from 48³ multiply-adds on ONNX Runtime's native CPU GEMM (MLAS, shipped in
 * the npm package onnxruntime-node; 3.5–4× less CPU time than the WebAssembly engine, docs/kernels.md), else, or
 * when the runtime cannot be loaded, `matmulFast` (the TypeScript twin below 48³, the WebAssembly SIMD engine
 * above).
 */
export function matmulCpuBackend(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options?: MatmulOptions,
): Float32Array {
  if (m * k * n >= FAST_MATMUL_THRESHOLD && onnxGemmEnabled()) return matmulOnnx(a, b, m, k, n, options);
  return matmulFast(a, b, m, k, n, options);
}

/**
 * Registers the backend `cpu` (the CPU default): the plain-TypeScript twins, except the dense product
 * (`matmulCpuBackend`: ONNX Runtime's native GEMM, or the WebAssembly SIMD engine; chosen by measurement over
 * tfjs-wasm and plain loops, docs/kernels.md). Conformance tests it against the twin.
 */
export function registerCpuKernels(registry: KernelRegistry): void {
  registry.register('matmul', 'cpu', matmulCpuBackend);
  registry.register('activation', 'cpu', (name, x) => activationCpu(name, x));
  registry.register('activation-derivative', 'cpu', (name, x) => activationDerivativeCpu(name, x));
  registry.register('softmax', 'cpu', (x, rows, cols) => softmaxCpu(x, rows, cols));
  registry.register('softmax-backward', 'cpu', (y, g, rows, cols) => softmaxBackwardCpu(y, g, rows, cols));
  registry.register('row-mean', 'cpu', rowMeanCpu);
  registry.register('row-variance', 'cpu', rowVarianceCpu);
  registry.register('column-mean', 'cpu', columnMeanCpu);
  registry.register('column-variance', 'cpu', columnVarianceCpu);
  registry.register('log-sum-exp', 'cpu', logSumExpCpu);
  registry.register('histogram-1d', 'cpu', histogram1dCpu);
  registry.register('histogram-2d', 'cpu', histogram2dCpu);
  registry.register('pairwise-squared-distances', 'cpu', pairwiseSquaredDistancesCpu);
  registry.register('k-nearest-neighbours', 'cpu', kNearestNeighboursCpu);
  registry.register('ising-checkerboard-half-sweep', 'cpu', isingCheckerboardHalfSweepCpu);
  registry.register('random-uniform', 'cpu', fillUniformCpu);
  registry.register('random-normal', 'cpu', fillNormalCpu);
}
