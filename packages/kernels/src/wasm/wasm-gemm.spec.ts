import { RandomStream } from '@entroscope/core';
import { matmulCpu } from '../cpu/matmul-cpu';
import { activations } from '../kernel-names';
import { WasmGemm } from './wasm-gemm';
import { uleb, sleb } from './wasm-assembler';

const EPS = 2 ** -23;

describe('WasmGemm (WebAssembly SIMD, shared memory, worker threads)', () => {
  it('is supported by this Node', () => {
    expect(WasmGemm.supported()).toBe(true);
  });

  it.each([1, 2, 3])('with %i thread(s) equals the twin within the float32 summation bound, for odd shapes, transposes, bias and activations', (threads) => {
    const gemm = WasmGemm.create(threads);
    const random = RandomStream.fromSeed(threads);
    try {
      let t = 0;
      for (const [m, k, n] of [[1, 1, 1], [7, 3, 5], [13, 300, 17], [100, 257, 9], [6, 2, 8], [31, 600, 45]] as const) {
        const transposeA = (t & 1) === 1;
        const transposeB = (t & 2) === 2;
        const activation = activations[t++ % activations.length]!;
        const a = random.fillNormal(new Float32Array(m * k));
        const b = random.fillNormal(new Float32Array(k * n));
        const bias = random.fillNormal(new Float32Array(n));
        const options = { transposeA, transposeB, bias, activation };
        const got = gemm.matmul(a, b, m, k, n, options);
        const want = matmulCpu(a, b, m, k, n, options);
        const bound = matmulCpu(a.map(Math.abs), b.map(Math.abs), m, k, n, { transposeA, transposeB, bias: bias.map(Math.abs) });
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual((k + 4) * EPS * bound[i]! * 1.13 + 4 * EPS * Math.abs(want[i]!));
      }
      // Repeated calls reuse (and grow) the shared memory; results do not depend on earlier calls.
      const a = random.fillNormal(new Float32Array(40 * 50));
      const first = gemm.matmul(a, a, 40, 50, 40, { transposeB: true });
      gemm.matmul(random.fillNormal(new Float32Array(200 * 300)), random.fillNormal(new Float32Array(300 * 100)), 200, 300, 100);
      expect(gemm.matmul(a, a, 40, 50, 40, { transposeB: true })).toEqual(first);
    } finally {
      gemm.dispose();
    }
  });

  it('encodes LEB128 as the WebAssembly specification requires', () => {
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });
});
