import type { KernelRegistry } from './registry';
import { activationCpu, activationDerivativeCpu, softmaxBackwardCpu, softmaxCpu } from './cpu/activation-cpu';
import { kNearestNeighboursCpu, pairwiseSquaredDistancesCpu } from './cpu/distance-cpu';
import { histogram1dCpu, histogram2dCpu } from './cpu/histogram-cpu';
import { isingCheckerboardHalfSweepCpu } from './cpu/ising-checkerboard-cpu';
import { matmulFast } from './cpu/matmul-fast';
import { fillNormalCpu, fillUniformCpu } from './cpu/random-fill-cpu';
import { columnMeanCpu, columnVarianceCpu, logSumExpCpu, rowMeanCpu, rowVarianceCpu } from './cpu/reduction-cpu';

/**
 * Registers the plain-TypeScript backend `cpu`: the twins themselves (they are the reference semantics and
 * the CPU default). Faster CPU paths that keep the same semantics (e.g. the dense product on worker threads or
 * tfjs-wasm) are registered by `registerCpuFastPaths` and are chosen by measurement (docs/kernels.md).
 */
export function registerCpuKernels(registry: KernelRegistry): void {
  registry.register('matmul', 'cpu', matmulFast);
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
