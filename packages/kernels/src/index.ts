export * from './kernel-names';
export * from './cpu/activation-cpu';
export * from './cpu/matmul-cpu';
export * from './cpu/xoshiro128';
export * from './cpu/ising-checkerboard-cpu';
export * from './cpu/ising-checkerboard-fast';
export * from './cpu/ising-multispin';
export * from './cpu/reduction-cpu';
export * from './cpu/histogram-cpu';
export * from './cpu/distance-cpu';
export * from './cpu/random-fill-cpu';
export * from './cpu/random-fill-fast';
export * from './backend';
export * from './registry';
export * from './cpu-backend';
export * from './resolve-backend';
export {
  GpujsKernels,
  gpujsModes,
  gpujsUnavailableReason,
  gpujsUnavailableReasonSync,
  type GpujsMode,
} from './gpujs/gpujs-backend';
export * from './streams';
export * from './cpu/matmul-fast';
export { WasmGemm } from './wasm/wasm-gemm';
export {
  matmulOnnx,
  onnxUnavailableReason,
  onnxGemmEnabled,
  setOnnxGemmEnabled,
  setOnnxGemmThreads,
  gemmModelBytes,
} from './onnx/onnx-gemm';
export * from './cpu/ising-multispin-engine';
export * from './cpu/ising-checkerboard-engine';
