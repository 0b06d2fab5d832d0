import type { KernelRegistry } from './registry';
import { activationCpu, activationDerivativeCpu, softmaxBackwardCpu, softmaxCpu } from './cpu/activation-cpu';
import { kNearestNeighboursCpu, pairwiseSquaredDistancesCpu } from './cpu/distance-cpu';
import { histogram1dCpu, histogram2dCpu } from './cpu/histogram-cpu';
import { isingCheckerboardHalfSweepCpu } from './cpu/ising-checkerboard-cpu';
import { matmulFast } from './cpu/matmul-fast';
import { fillNormalCpu, fillUniformCpu } from './cpu/random-fill-cpu';
import { columnMeanCpu, columnVarianceCpu, logSumExpCpu, rowMeanCpu, rowVarianceCpu } from './cpu/reduction-cpu';

/**
 * Registers the backend `cpu` (the CPU default): the plain-TypeScript twins, except the dense product, which
 * runs on the WebAssembly SIMD engine on all cores above 48³ multiply-adds (`matmulFast`; chosen by
 * measurement over tfjs-wasm and plain loops, docs/kernels.md). Conformance tests it against the twin.
 */
export function registerCpuKernels(registry: KernelRegistry): void {
  registry.register('matmul', 'cpu', matmulFast); // twin below 48³ multiply-adds, WebAssembly SIMD engine above
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
