import { setFlagsFromString } from 'node:v8';
import { RandomStream } from '@entroscope/core';
import { matmulCpu } from '../cpu/matmul-cpu';
import { activations } from '../kernel-names';
import { matmulOnnx, onnxUnavailableReason, setOnnxGemmThreads } from './onnx-gemm';
import { WasmGemm } from '../wasm/wasm-gemm';

const EPS = 2 ** -23;
const reason = onnxUnavailableReason();

describe('matmulOnnx (ONNX Runtime CPU GEMM)', () => {
  if (reason) {
    it.skip(`equals the twin [SKIPPED: ${reason}]`, () => undefined);
    return;
  }
  afterAll(() => setOnnxGemmThreads(2));

  it.each([1, 2])(
    'with %i thread(s) equals the twin within the float32 summation bound: odd shapes, every transpose, bias, activation',
    (threads) => {
      setOnnxGemmThreads(threads);
      const random = RandomStream.fromSeed(40 + threads);
      let t = 0;
      for (const [m, k, n] of [
        [1, 1, 1],
        [7, 3, 5],
        [13, 300, 17],
        [100, 257, 9],
        [64, 784, 60],
        [31, 600, 45],
        [50, 64, 70],
        [9, 1000, 3],
      ] as const) {
        for (const bias of [random.fillNormal(new Float32Array(n)), undefined]) {
          const transposeA = (t & 1) === 1;
          const transposeB = (t & 2) === 2;
          const activation = activations[t++ % activations.length]!;
          const a = random.fillNormal(new Float32Array(m * k));
          const b = random.fillNormal(new Float32Array(k * n));
          const options = { transposeA, transposeB, activation, ...(bias ? { bias } : {}) };
          const got = matmulOnnx(a, b, m, k, n, options);
          expect(got).toBeInstanceOf(Float32Array);
          expect(got).toHaveLength(m * n);
          const want = matmulCpu(a, b, m, k, n, options);
          const bound = matmulCpu(a.map(Math.abs), b.map(Math.abs), m, k, n, {
            transposeA,
            transposeB,
            ...(bias ? { bias: bias.map(Math.abs) } : {}),
          });
          // |φ'| ≤ 1.13 (erf) carries the product's error through the activation; 4ε for the activation itself.
          for (let i = 0; i < want.length; i++)
            expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(
              (k + 4) * EPS * bound[i]! * 1.13 + 4 * EPS * Math.abs(want[i]!) + 1e-30,
            );
        }
      }
    },
  );

  it('writes into `out`, and gives the same bits for 1 and 2 threads and on repeat (thread-count independent)', () => {
    const random = RandomStream.fromSeed(7);
    const a = random.fillNormal(new Float32Array(64 * 784));
    const b = random.fillNormal(new Float32Array(784 * 300));
    setOnnxGemmThreads(1);
    const one = matmulOnnx(a, b, 64, 784, 300, { activation: 'tanh' }).slice();
    setOnnxGemmThreads(2);
    const out = new Float32Array(64 * 300);
    expect(matmulOnnx(a, b, 64, 784, 300, { activation: 'tanh', out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(one));
    expect(Array.from(matmulOnnx(a, b, 64, 784, 300, { activation: 'tanh' }))).toEqual(Array.from(one));
  });
});

describe('WasmGemm with relaxed-SIMD FMA (optional, off by default: measured no faster)', () => {
  // Node 20 validates relaxed SIMD only behind this V8 flag; it can be set at run time (process-wide, harmless).
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  const supported = WasmGemm.relaxedSimdSupported();
  (supported ? it : it.skip)(
    `equals the twin within the float32 bound${supported ? '' : ' [SKIPPED: this Node does not validate relaxed SIMD; start it with --experimental-wasm-relaxed-simd]'}`,
    () => {
      const gemm = WasmGemm.create(2, { fma: true });
      try {
        expect(gemm.fma).toBe(true);
        const random = RandomStream.fromSeed(5);
        const [m, k, n] = [33, 500, 41];
        const a = random.fillNormal(new Float32Array(m * k));
        const b = random.fillNormal(new Float32Array(k * n));
        const got = gemm.matmul(a, b, m, k, n);
        const want = matmulCpu(a, b, m, k, n);
        const bound = matmulCpu(a.map(Math.abs), b.map(Math.abs), m, k, n);
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual((k + 4) * EPS * bound[i]!);
      } finally {
        gemm.dispose();
      }
    },
  );
});
