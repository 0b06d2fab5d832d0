import { RandomStream } from '@entroscope/core';
import { matmulCpu } from '../cpu/matmul-cpu';
import { activations } from '../kernel-names';
import { WasmGemm } from './wasm-gemm';
import { gemmModuleBytes, tanhConstantTable } from './wasm-gemm-module';
import { uleb, sleb } from './wasm-assembler';

// Node's WebAssembly global, untyped here (lib ES2023 without DOM does not declare it).
const WebAssembly = (globalThis as unknown as { WebAssembly: any }).WebAssembly;

const EPS = 2 ** -23;
/** Small biases (zero for a third of the entries) so that the grid values themselves are tested too. */
const random0 = (count: number) => {
  const b = RandomStream.fromSeed(99).fillNormal(new Float32Array(count), 0, 1e-3);
  for (let i = 0; i < count; i += 3) b[i] = 0;
  return b;
};

describe('WasmGemm (WebAssembly SIMD, shared memory, worker threads)', () => {
  it('is supported by this Node', () => {
    expect(WasmGemm.supported()).toBe(true);
  });

  it.each([1, 2, 3])(
    'with %i thread(s) equals the twin within the float32 summation bound, for odd shapes, transposes, bias and activations',
    (threads) => {
      const gemm = WasmGemm.create(threads);
      const random = RandomStream.fromSeed(threads);
      try {
        let t = 0;
        for (const [m, k, n] of [
          [1, 1, 1],
          [7, 3, 5],
          [13, 300, 17],
          [100, 257, 9],
          [6, 2, 8],
          [31, 600, 45],
        ] as const) {
          const transposeA = (t & 1) === 1;
          const transposeB = (t & 2) === 2;
          const activation = activations[t++ % activations.length]!;
          const a = random.fillNormal(new Float32Array(m * k));
          const b = random.fillNormal(new Float32Array(k * n));
          const bias = random.fillNormal(new Float32Array(n));
          const options = { transposeA, transposeB, bias, activation };
          const got = gemm.matmul(a, b, m, k, n, options);
          const want = matmulCpu(a, b, m, k, n, options);
          const bound = matmulCpu(a.map(Math.abs), b.map(Math.abs), m, k, n, {
            transposeA,
            transposeB,
            bias: bias.map(Math.abs),
          });
          for (let i = 0; i < want.length; i++)
            expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(
              (k + 4) * EPS * bound[i]! * 1.13 + 4 * EPS * Math.abs(want[i]!),
            );
        }
        // Repeated calls reuse (and grow) the shared memory; results do not depend on earlier calls.
        const a = random.fillNormal(new Float32Array(40 * 50));
        const first = gemm.matmul(a, a, 40, 50, 40, { transposeB: true });
        gemm.matmul(
          random.fillNormal(new Float32Array(200 * 300)),
          random.fillNormal(new Float32Array(300 * 100)),
          200,
          300,
          100,
        );
        expect(gemm.matmul(a, a, 40, 50, 40, { transposeB: true })).toEqual(first);
      } finally {
        gemm.dispose();
      }
    },
  );

  it('applies bias + tanh / ReLU in SIMD (epilogue): tanh within 2ε·|tanh x| of Math.tanh on a dense grid, NaN and ±∞ handled', () => {
    // Independent truth: float64 Math.tanh; 2ε relative is half the 4ε·|C| share the conformance bound allows.
    const memory = new WebAssembly.Memory({ initial: 80, maximum: 80, shared: true });
    const { epilogue } = new WebAssembly.Instance(new WebAssembly.Module(gemmModuleBytes(80, 4)), { env: { memory } })
      .exports as Record<string, (...args: number[]) => void>;
    const f = new Float32Array(memory.buffer);
    const table = 64; // float index of the constant table (byte 256)
    f.set(tanhConstantTable(), table);
    const count = 1 << 19;
    const x = new Float32Array(count);
    for (let i = 0; i < count; i++) x[i] = (i / count - 0.5) * 24 * (i % 3 === 0 ? 1 / 64 : 1); // dense near 0 too
    x.set([NaN, Infinity, -Infinity, -0, 1e-30, -1e-40, 0.625, Math.fround(0.62499), 9.99, 10.01, 40], 0);
    const xOff = 1024,
      biasOff = xOff + count; // floats
    const bias = random0(count);
    for (const [code, want] of [
      [1, Math.tanh],
      [2, (v: number) => (v > 0 ? v : 0)],
    ] as const) {
      f.set(x, xOff);
      f.set(bias, biasOff);
      epilogue(xOff * 4, 0, 1, biasOff * 4, count / 4, code, table * 4);
      for (let i = 0; i < count; i++) {
        const z = Math.fround(x[i]! + bias[i]!);
        const w = want(z);
        if (Number.isNaN(w)) expect(f[xOff + i]).toBeNaN();
        else if (Math.abs(f[xOff + i]! - w) > 2 * EPS * Math.abs(w)) expect([z, f[xOff + i]]).toEqual([z, w]);
      }
    }
    // ReLU of NaN is 0, as the twin.
    f.set([NaN, NaN, NaN, NaN], xOff);
    f.fill(0, biasOff, biasOff + 4);
    epilogue(xOff * 4, 0, 1, biasOff * 4, 1, 2, table * 4);
    expect(Array.from(f.subarray(xOff, xOff + 4))).toEqual([0, 0, 0, 0]);
  });

  it('encodes LEB128 as the WebAssembly specification requires', () => {
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });
});
