import type { MatmulOptions } from '../kernel-names';
import { WasmGemm } from '../wasm/wasm-gemm';
import { matmulCpu } from './matmul-cpu';

/** Below this many multiply-adds (m·k·n) the plain-TypeScript twin is faster than packing for SIMD. */
export const FAST_MATMUL_THRESHOLD = 48 * 48 * 48;

let engine: WasmGemm | null | undefined;

/** The process-wide SIMD engine (null when WebAssembly SIMD or shared memory is missing). */
export function wasmGemmEngine(): WasmGemm | null {
  if (engine === undefined) engine = WasmGemm.supported() ? WasmGemm.create() : null;
  return engine;
}

/**
 * The `cpu` backend's dense product: `matmulCpu` semantics, computed by the WebAssembly SIMD engine on all
 * cores for products of at least FAST_MATMUL_THRESHOLD multiply-adds (float32 sums, conformance tolerance),
 * and by the twin below that or where the engine is unavailable. Synchronous.
 */
export function matmulFast(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  options: MatmulOptions = {},
): Float32Array {
  if (m * k * n >= FAST_MATMUL_THRESHOLD) {
    const gemm = wasmGemmEngine();
    if (gemm) {
      try {
        return gemm.matmul(a, b, m, k, n, options);
      } catch (error) {
        // The shared memory is capped at 2 GiB: larger products fall back to the twin.
        if (!(error instanceof RangeError)) throw error;
      }
    }
  }
  return matmulCpu(a, b, m, k, n, options);
}
